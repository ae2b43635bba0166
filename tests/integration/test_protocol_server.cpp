// The protocol suite for every backend (see test_protocol.cpp), part three: the server under
// load and at its edges: 1000 concurrent clients, a slow reader paused with bounded memory,
// SIGTERM and SIGINT, and --max-conns.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/client.hpp"
#include "support/protocol_test.hpp"

namespace robotbench::test {
namespace {

TEST_P(protocol_test, serves_1000_concurrent_clients) {
    raise_fd_limit();
    // A prefork worker serves one client at a time: the pool must outnumber the clients.
    const auto port = start(GetParam() == "prefork" ? std::vector<std::string>{"--workers=1010"}
                                                    : std::vector<std::string>{});
    ASSERT_NE(port, 0);
    constexpr int n = 1000;
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < n; ++i) {
        clients.push_back(std::make_unique<client>(port));
        ASSERT_TRUE(clients.back()->connected()) << "client " << i;
    }
    for (int i = 0; i < n; ++i) ASSERT_TRUE(clients[i]->send("client " + std::to_string(i) + "\n"));
    EXPECT_EQ(count_answers(clients, "client "), n);
    client extra(port);
    EXPECT_EQ(extra.ask("/online"), "online 1001");
    for (const int i : {0, n / 2, n - 1}) EXPECT_EQ(clients[i]->ask("/online"), "online 1001");
    // Everyone speaks again, all at once, after the count.
    for (int i = 0; i < n; ++i) ASSERT_TRUE(clients[i]->send("again " + std::to_string(i) + "\n"));
    EXPECT_EQ(count_answers(clients, "again "), n);
    clients.clear();
    EXPECT_EQ(online_on(extra, 1), "online 1");
}

TEST_P(protocol_test, slow_reader_is_paused_with_bounded_memory_and_others_still_served) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client slow(port), other(port);
    ASSERT_EQ(slow.ask("warm up"), fenced("warm up"));
    ASSERT_EQ(other.ask("warm up"), fenced("warm up"));
    const std::size_t rss_before = tree_rss_kib(server().pid());

    // 64 KiB of numbered requests, pipelined over and over (up to 64 MiB) by a client that never
    // reads: the writer blocks once the server stops reading from it.
    std::string block, block_replies;
    for (int i = 0; block.size() < 64 * 1024; ++i) {
        char payload[64];
        const int len = std::snprintf(payload, sizeof payload, "slow reader request %05d", i);
        block.append(payload, len).push_back('\n');
        block_replies += echo({payload, static_cast<std::size_t>(len)});
    }
    std::atomic<std::size_t> sent{0};
    std::thread writer([&] {
        for (int i = 0; i < 1024 && slow.send(block); ++i) sent += block.size();
    });
    // Wait until the writer is stuck (sent stops growing), watching the server's memory.
    std::size_t rss_peak = rss_before, last = 0;
    int still = 0;
    for (int i = 0; i < 100 && still < 4; ++i) {
        std::this_thread::sleep_for(100ms);
        rss_peak = std::max(rss_peak, tree_rss_kib(server().pid()));
        const std::size_t now = sent;
        still = now == last ? still + 1 : 0;
        last = now;
    }
    EXPECT_GT(sent.load(), std::size_t{1} << 20) << "the slow reader must offer more than 1 MiB";
    EXPECT_LT(rss_peak - rss_before, 32u * 1024)
        << "server memory grew by " << (rss_peak - rss_before) << " KiB for one slow reader ("
        << sent.load() / 1024 << " KiB of requests sent)";

    // Other clients, old and new, are answered while the slow reader is stuck.
    EXPECT_EQ(other.ask("still served", 2s), fenced("still served"));
    client fresh(port);
    EXPECT_EQ(fresh.ask("/online", 2s), "online 3");

    // The paused replies are intact and in order.
    const auto got = slow.read_bytes(2 * block_replies.size(), 5s);
    const auto want = block_replies + block_replies;
    EXPECT_TRUE(got == want) << first_difference(got, want);

    ::shutdown(slow.fd(), SHUT_RDWR);  // wakes the blocked writer
    writer.join();
    slow.reset();
    EXPECT_EQ(online_on(other, 2), "online 2");
}

TEST_P(protocol_test, sigterm_closes_clients_and_exits_0_within_2s) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client idle(port), partial(port), unread(port);
    EXPECT_EQ(idle.ask("a"), fenced("a"));
    EXPECT_EQ(partial.ask("b"), fenced("b"));
    EXPECT_EQ(unread.ask("c"), fenced("c"));
    ASSERT_TRUE(partial.send("half a li"));
    std::string requests;  // replies the client never reads are pending at shutdown
    for (int i = 0; i < 8000; ++i) requests += "unread " + std::to_string(i) + "\n";
    ASSERT_TRUE(unread.send(requests));
    EXPECT_EQ(online_on(idle, 3), "online 3");

    const auto helpers = descendant_pids(server().pid());
    if (GetParam() == "fork") {
        EXPECT_GE(helpers.size(), 3u) << "a child per client";
    }
    if (GetParam() == "prefork") {
        EXPECT_EQ(helpers.size(), 128u) << "the default pool of worker processes";
    }
    EXPECT_EQ(server().terminate(2s), 0) << "exit status 0 within 2 s of SIGTERM";
    for (const pid_t p : helpers) EXPECT_FALSE(process_running(p)) << "process " << p << " left";
    for (client* c : {&idle, &partial, &unread}) {
        std::string rest;
        EXPECT_TRUE(c->read_to_eof(rest, 2s)) << "a client was left open";
    }
    client late(port);
    EXPECT_FALSE(late.connected() && late.ask("anyone?", 500ms)) << "nothing serves the port";
}

TEST_P(protocol_test, sigint_stops_the_server_too) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client c(port);
    EXPECT_EQ(c.ask("a"), fenced("a"));
    const auto helpers = descendant_pids(server().pid());
    server().process().signal(SIGINT);
    const auto status = server().process().wait_for(2s);
    ASSERT_TRUE(status) << "still running 2 s after SIGINT";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "wait status " << *status;
    for (const pid_t p : helpers) EXPECT_FALSE(process_running(p)) << "process " << p << " left";
    std::string rest;
    EXPECT_TRUE(c.read_to_eof(rest, 2s));
}

TEST_P(protocol_test, max_conns_refuses_the_extra_client_with_server_full) {
    const auto port = start({"--max-conns=5"});
    ASSERT_NE(port, 0);
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(std::make_unique<client>(port));
        EXPECT_EQ(clients.back()->ask("in " + std::to_string(i)),
                  fenced("in " + std::to_string(i)));
    }
    client sixth(port);
    std::string got;
    EXPECT_TRUE(sixth.read_to_eof(got, 3s)) << "the 6th client must be closed";
    EXPECT_EQ(got, "!ERR server full\n");
    EXPECT_EQ(clients[0]->ask("/online"), "online 5") << "a refused client never counts";
    EXPECT_EQ(clients[4]->ask("still"), fenced("still"));
    // Once one leaves, a newcomer is served (after the server has seen that one go).
    clients[1]->close();
    std::optional<std::string> reply;
    for (int attempt = 0; attempt < 100 && reply != fenced("newcomer"); ++attempt) {
        client newcomer(port);
        reply = newcomer.ask("newcomer", 2s);
        if (reply == fenced("newcomer")) {
            EXPECT_EQ(newcomer.ask("/online"), "online 5");
        } else {
            std::this_thread::sleep_for(30ms);
        }
    }
    EXPECT_EQ(reply, fenced("newcomer"));
}

}  // namespace
}  // namespace robotbench::test
