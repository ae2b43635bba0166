#include "support/protocol_test.hpp"

#include <algorithm>

namespace robotbench::test {

using namespace std::string_literals;

std::string echo(std::string_view payload) {
    return "===="s.append(payload) + "====\n";
}

std::string fenced(std::string_view payload) {
    return "===="s.append(payload) + "====";
}

std::string first_difference(std::string_view got, std::string_view want) {
    std::size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
    const auto around = [&](std::string_view s) {
        const std::size_t from = i < 40 ? 0 : i - 40;
        return ::testing::PrintToString(std::string(s.substr(from, 80)));
    };
    return "got " + std::to_string(got.size()) + " bytes, want " + std::to_string(want.size()) +
           "; first difference at byte " + std::to_string(i) + ": got " + around(got) + ", want " +
           around(want);
}

std::string online_on(client& asker, std::int64_t expected) {
    const std::string want = "online " + std::to_string(expected);
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    std::string seen;
    do {
        seen = asker.ask("/online").value_or("<no reply>");
        if (seen == want) break;
        std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return seen;
}

int count_answers(std::vector<std::unique_ptr<client>>& clients, const std::string& prefix) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    int answered = 0;
    for (std::size_t i = 0; i < clients.size(); ++i) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        answered +=
            clients[i]->read_line(std::max(left, 1ms)) == fenced(prefix + std::to_string(i));
    }
    return answered;
}

}  // namespace robotbench::test
