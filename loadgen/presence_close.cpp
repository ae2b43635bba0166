// The presence scenario's closing step: clients leave in every way (FIN, RST, `/quit`,
// half-close) while the control connection keeps asking `/online`, so a count that drops below
// the clients still open is caught as it happens.

#include <fmt/core.h>
#include <poll.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "presence_scenario.hpp"
#include "protocol/reply.hpp"

namespace robotbench::loadgen::presence_detail {

namespace {

// A client whose close waits for the server: `bye` after `/quit`, or EOF after a half-close.
struct closing {
    open_client client;
    close_way way = close_way::quit;
    clock::time_point deadline{};
};

std::string_view way_name(close_way way) {
    switch (way) {
        case close_way::fin:
            return "FIN";
        case close_way::reset:
            return "RST";
        case close_way::quit:
            return "/quit";
        case close_way::half_close:
            return "half-close";
    }
    return "?";
}

// Reads what the server sent a closing client: nullopt while it should wait on, otherwise the
// outcome (empty when the server ended the client as the protocol says).
std::optional<std::string> progress(closing& c) {
    constexpr auto bye = protocol::bye_reply.substr(0, protocol::bye_reply.size() - 1);
    const auto status = c.client.socket.receive();
    while (auto line = c.client.socket.next_line()) {
        if (c.way != close_way::quit)
            continue;  // nothing is outstanding: an extra line is harmless
        if (*line == bye) return std::string{};
        return fmt::format("answered /quit with '{}'", printable(*line));
    }
    const bool quit = c.way == close_way::quit;
    if (status == io_status::closed) return quit ? "closed without 'bye'" : "";
    // A reset after a half-close still ends the client; before `bye` it loses the reply.
    if (status == io_status::failed)
        return quit ? fmt::format("{} before 'bye'", error_text(c.client.socket.error())) : "";
    return std::nullopt;
}

}  // namespace

void scenario::close_some(std::size_t count, std::string_view when) {
    const std::size_t total = open_.size();
    count = std::min(count, total);
    // The other ranks close theirs meanwhile: their floor is what they keep.
    sync((control_lost_ ? 0 : 1) + static_cast<std::int64_t>(total - count));
    if (control_lost_) return;
    checks_ += 2;
    // Spread the leavers over old and new clients: client i leaves when count * i / size steps.
    std::vector<open_client> leaving, staying;
    for (std::size_t i = 0; i < total; ++i) {
        auto& into = count * (i + 1) / total > count * i / total ? leaving : staying;
        into.push_back(std::move(open_[i]));
    }
    open_ = std::move(staying);

    std::size_t next = 0;          // leaving[next] is the next to start closing
    std::vector<closing> waiting;  // started, waiting for the server
    unsigned answers = 0, below = 0, waited = 0, unclean = 0;
    std::string first_below, first_unclean;
    // Clients known open and not yet being closed: the count may never fall below this floor.
    const auto floor = [&] {
        return baseline_ + others_ + 1 +
               static_cast<std::int64_t>(open_.size() + leaving.size() - next);
    };
    const auto finish = [&](closing& c, const std::string& outcome) {
        if (!outcome.empty() && ++unclean == 1)
            first_unclean =
                fmt::format("client {} ({}): {}", c.client.id, way_name(c.way), outcome);
        c.client.socket.close();
        last_change_ = clock::now();
    };
    const auto start_next = [&] {
        auto& c = leaving[next++];
        const auto way = static_cast<close_way>(next_way_++ % 4);
        last_change_ = clock::now();
        switch (way) {
            case close_way::fin:
                c.socket.close();
                return;
            case close_way::reset:
                c.socket.close_with_reset();
                return;
            case close_way::quit:
                ++waited;
                if (!c.socket.send_all(fmt::format("{}\n", protocol::quit_command))) break;
                waiting.push_back({std::move(c), way, clock::now() + answer_wait()});
                return;
            case close_way::half_close:
                ++waited;
                c.socket.shutdown_write();
                waiting.push_back({std::move(c), way, clock::now() + answer_wait()});
                return;
        }
        closing failed{std::move(c), way, {}};
        finish(failed, "send: " + error_text(failed.client.socket.error()));
    };

    if (!control_.ask()) return lose_control(when, *control_.try_answer());
    auto answer_deadline = clock::now() + answer_timeout;
    std::vector<pollfd> fds;
    while (control_.asking()) {
        fds.clear();
        fds.push_back({control_.fd(), POLLIN, 0});
        auto wake = answer_deadline;
        for (const auto& c : waiting) {
            fds.push_back({c.client.socket.fd(), POLLIN, 0});
            wake = std::min(wake, c.deadline);
        }
        ::poll(fds.data(), fds.size(), poll_timeout(wake));

        std::size_t kept = 0;
        for (std::size_t k = 0; k < waiting.size(); ++k) {
            auto& c = waiting[k];
            std::optional<std::string> outcome;
            if (fds[k + 1].revents != 0) outcome = progress(c);
            if (!outcome && clock::now() >= c.deadline)
                outcome = fmt::format("no {} within {}",
                                      c.way == close_way::quit ? "'bye'" : "close by the server",
                                      format_ms(answer_wait()));
            if (outcome) {
                finish(c, *outcome);
                continue;
            }
            if (kept != k) waiting[kept] = std::move(c);
            ++kept;
        }
        waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(kept), waiting.end());

        auto answer = control_.try_answer();
        if (!answer) {
            if (clock::now() < answer_deadline) continue;
            online_answer silent;
            return lose_control(when, silent);
        }
        if (answer->what != online_answer::kind::count) return lose_control(when, *answer);
        ++answers;
        if (answer->count < floor() && ++below == 1)
            first_below = fmt::format(
                "/online said {}, below {} (others, control and the clients "
                "not being closed)",
                answer->count, floor());
        if (next < leaving.size()) start_next();
        if (next < leaving.size() || !waiting.empty()) {
            if (!control_.ask()) return lose_control(when, *control_.try_answer());
            answer_deadline = clock::now() + answer_timeout;
        }
    }
    if (below > 0)
        fail(fmt::format("{}: {} ({} of {} answers too low)", when, first_below, below, answers));
    if (unclean > 0)
        fail(
            fmt::format("{}: {} of {} clients leaving by /quit or half-close were not closed "
                        "cleanly ({})",
                        when, unclean, waited, first_unclean));
}

}  // namespace robotbench::loadgen::presence_detail
