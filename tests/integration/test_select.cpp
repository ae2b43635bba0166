// The select backend's own limit: select(2) cannot watch a descriptor at or above FD_SETSIZE
// (1024), so the clients past it get `!ERR server full`; the server survives and serves on.

#include <gtest/gtest.h>
#include <sys/select.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

std::string fenced(const std::string& payload) {
    return "====" + payload + "====";
}

TEST(select_backend, clients_past_fd_setsize_are_told_the_server_is_full) {
    raise_fd_limit();
    server_process server("select");
    const auto port = server.port();
    ASSERT_NE(port, 0);
    constexpr int n = 1100;
    static_assert(n > FD_SETSIZE);
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < n; ++i) {
        clients.push_back(std::make_unique<client>(port));
        ASSERT_TRUE(clients.back()->connected()) << "connect " << i;
    }
    // Everyone says hello; a refused client may find its socket already reset, so a failed send
    // is not an error here.
    for (int i = 0; i < n; ++i) clients[i]->send("hello " + std::to_string(i) + "\n");

    std::vector<std::unique_ptr<client>> served;
    int full = 0, other = 0;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    for (int i = 0; i < n; ++i) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const auto line = clients[i]->read_line(std::max(left, 1ms));
        if (line == fenced("hello " + std::to_string(i))) {
            served.push_back(std::move(clients[i]));
        } else if (line == "!ERR server full") {
            std::string rest;
            EXPECT_TRUE(clients[i]->read_to_eof(rest, 2s)) << "a refused client must be closed";
            EXPECT_EQ(rest, "");
            ++full;
        } else {
            ADD_FAILURE() << "client " << i << " got " << line.value_or("<nothing>");
            ++other;
        }
    }
    EXPECT_EQ(other, 0);
    EXPECT_GE(served.size(), 1000u) << "select holds ~1,000 clients below FD_SETSIZE";
    EXPECT_GE(full, n - FD_SETSIZE) << "every client past FD_SETSIZE hears `server full`";
    clients.clear();  // the refused ones

    // The server survived and still serves everyone it took; the count holds only them.
    ASSERT_FALSE(served.empty());
    EXPECT_EQ(served.front()->ask("/online"), "online " + std::to_string(served.size()));
    for (std::size_t i = 0; i < served.size(); ++i) ASSERT_TRUE(served[i]->send("again\n"));
    std::size_t answered = 0;
    for (auto& c : served) answered += c->read_line() == fenced("again");
    EXPECT_EQ(answered, served.size());

    // Some leave; a newcomer is then served (once the server has seen them go).
    for (int i = 0; i < 50; ++i) served.pop_back();
    std::optional<std::string> reply;
    for (int attempt = 0; attempt < 100 && reply != fenced("newcomer"); ++attempt) {
        client newcomer(port);
        reply = newcomer.ask("newcomer", 2s);
        if (reply != fenced("newcomer")) std::this_thread::sleep_for(30ms);
    }
    EXPECT_EQ(reply, fenced("newcomer"));
    EXPECT_EQ(online_eventually(port, static_cast<std::int64_t>(served.size()) + 1),
              static_cast<std::int64_t>(served.size()) + 1);
    served.clear();
    EXPECT_EQ(server.terminate(), 0);
}

TEST(select_backend, max_conns_5_refuses_the_6th_client) {
    server_process server("select", {"--max-conns=5"});
    const auto port = server.port();
    ASSERT_NE(port, 0);
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(std::make_unique<client>(port));
        EXPECT_EQ(clients.back()->ask("in"), fenced("in"));
    }
    client sixth(port);
    std::string got;
    EXPECT_TRUE(sixth.read_to_eof(got, 3s));
    EXPECT_EQ(got, "!ERR server full\n");
    EXPECT_EQ(clients[0]->ask("/online"), "online 5");
}

}  // namespace
}  // namespace robotbench::test
