// The fork backend's own promises: a child per client, counted off however it ends (even
// SIGKILL), reaped at once (no zombies), a global `/online` count in every child, and no child
// outliving the server.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

// The state letter of a process (R, S, Z...) from /proc, or 0 when it no longer exists.
char process_state(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    const auto paren = text.rfind(')');
    if (paren == std::string::npos || paren + 2 >= text.size()) return 0;
    return text[paren + 2];
}

// True once a process is gone for good: not even a zombie left to reap.
bool gone(pid_t pid) {
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// Polls `done` until it holds or `timeout` passes; returns its last value.
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return done();
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

// Children of the server that are zombies (exited, never reaped).
std::vector<pid_t> zombie_children(pid_t server) {
    std::vector<pid_t> zombies;
    for (const pid_t child : child_pids(server))
        if (process_state(child) == 'Z') zombies.push_back(child);
    return zombies;
}

// Connects `n` clients and has each answer an echo, so each has its own child by then.
std::vector<std::unique_ptr<client>> connect_served(std::uint16_t port, int n) {
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < n; ++i) {
        auto c = std::make_unique<client>(port);
        EXPECT_EQ(c->ask("robot " + std::to_string(i)), "====robot " + std::to_string(i) + "====");
        clients.push_back(std::move(c));
    }
    return clients;
}

// Asks `/online` on an existing connection until it reports `expected` or 3 s pass; returns
// the last answer.
std::string online_on(client& asker, std::int64_t expected) {
    const std::string want = "online " + std::to_string(expected);
    std::string seen;
    eventually([&] {
        seen = asker.ask("/online").value_or("<no reply>");
        return seen == want;
    });
    return seen;
}

TEST(fork_backend, sigkill_of_a_child_counts_its_client_off) {
    server_process server("fork");
    ASSERT_NE(server.port(), 0);
    client keeper(server.port());
    ASSERT_EQ(keeper.ask("keeper"), "====keeper====");
    const auto before = child_pids(server.pid());

    client victim(server.port());
    ASSERT_EQ(victim.ask("victim"), "====victim====");
    std::vector<pid_t> fresh;
    for (const pid_t child : child_pids(server.pid()))
        if (std::find(before.begin(), before.end(), child) == before.end()) fresh.push_back(child);
    ASSERT_EQ(fresh.size(), 1u) << "one new child per client";
    EXPECT_EQ(keeper.ask("/online"), "online 2");

    ASSERT_EQ(::kill(fresh[0], SIGKILL), 0);
    std::string rest;
    EXPECT_TRUE(victim.read_to_eof(rest, 2s)) << "the victim's connection died with its child";
    EXPECT_EQ(online_on(keeper, 1), "online 1");
    EXPECT_TRUE(eventually([&] { return gone(fresh[0]); })) << "the killed child was reaped";
    EXPECT_EQ(keeper.ask("still here"), "====still here====");
    EXPECT_EQ(online_eventually(server.port(), 2), 2) << "the keeper and the asker";
    EXPECT_EQ(server.terminate(), 0);
}

TEST(fork_backend, children_are_reaped_however_clients_leave) {
    server_process server("fork");
    ASSERT_NE(server.port(), 0);
    constexpr int n = 24;
    auto clients = connect_served(server.port(), n);
    const auto children = child_pids(server.pid());
    EXPECT_EQ(children.size(), static_cast<std::size_t>(n));
    EXPECT_EQ(online_eventually(server.port(), n + 1), n + 1);

    for (int i = 0; i < n; ++i) {
        auto& c = *clients[i];
        switch (i % 4) {
            case 0:
                c.close();
                break;
            case 1:
                c.reset();
                break;
            case 2:
                EXPECT_EQ(c.ask("/quit"), "bye");
                break;
            case 3:
                c.shutdown_write();
                break;
        }
    }
    EXPECT_TRUE(eventually([&] { return child_pids(server.pid()).empty(); }))
        << child_pids(server.pid()).size() << " children left, "
        << zombie_children(server.pid()).size() << " of them zombies";
    for (const pid_t child : children) EXPECT_TRUE(gone(child)) << "child " << child;
    EXPECT_EQ(online_eventually(server.port(), 1), 1);
    EXPECT_EQ(server.terminate(), 0);
}

TEST(fork_backend, every_child_reports_the_global_count) {
    server_process server("fork");
    ASSERT_NE(server.port(), 0);
    auto clients = connect_served(server.port(), 3);
    for (auto& c : clients) EXPECT_EQ(c->ask("/online"), "online 3");

    clients[0]->close();
    EXPECT_EQ(online_on(*clients[1], 2), "online 2");
    EXPECT_EQ(online_on(*clients[2], 2), "online 2");
    EXPECT_EQ(server.terminate(), 0);
}

TEST(fork_backend, sigterm_ends_every_child_within_two_seconds) {
    server_process server("fork");
    ASSERT_NE(server.port(), 0);
    auto clients = connect_served(server.port(), 10);
    clients[0]->send("half a li");  // one child is in the middle of a line
    const auto children = child_pids(server.pid());
    ASSERT_EQ(children.size(), 10u);

    EXPECT_EQ(server.terminate(2s), 0);
    for (const pid_t child : children)
        EXPECT_TRUE(gone(child)) << "child " << child << " outlived the server, state "
                                 << process_state(child);
    for (auto& c : clients) {
        std::string rest;
        EXPECT_TRUE(c->read_to_eof(rest, 2s));
    }
}

TEST(fork_backend, children_die_with_a_killed_server) {
    server_process server("fork");
    ASSERT_NE(server.port(), 0);
    auto clients = connect_served(server.port(), 3);
    const auto children = child_pids(server.pid());
    ASSERT_EQ(children.size(), 3u);

    server.process().signal(SIGKILL);
    ASSERT_TRUE(server.process().wait_for(2s));
    for (auto& c : clients) {
        std::string rest;
        EXPECT_TRUE(c->read_to_eof(rest, 2s)) << "an orphaned child still holds its client";
    }
    for (const pid_t child : children) {
        const auto dead = [child] {
            const char state = process_state(child);
            return state == 0 || state == 'Z';  // a zombie is its new parent's to reap
        };
        EXPECT_TRUE(eventually(dead)) << "child " << child;
    }
}

TEST(fork_backend, max_conns_refuses_the_extra_client_and_serves_on) {
    server_process server("fork", {"--max-conns=2"});
    ASSERT_NE(server.port(), 0);
    auto clients = connect_served(server.port(), 2);

    client extra(server.port());
    ASSERT_TRUE(extra.connected());
    std::string refused;
    EXPECT_TRUE(extra.read_to_eof(refused));
    EXPECT_EQ(refused, "!ERR server full\n");
    EXPECT_EQ(clients[1]->ask("/online"), "online 2");

    clients[0]->close();
    EXPECT_TRUE(eventually([&] {
        client again(server.port());
        return again.ask("back") == "====back====";
    })) << "a place freed by a leaving client is given to a new one";
    EXPECT_EQ(server.terminate(), 0);
}

}  // namespace
}  // namespace robotbench::test
