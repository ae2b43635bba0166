// The protocol suite for every backend (see test_protocol.cpp), part two: what a connection
// sees over its life: `/online` counting clients, `/quit`, presence dropping after FIN and RST,
// and half-closed connections answered to the end.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include "support/client.hpp"
#include "support/protocol_test.hpp"

namespace robotbench::test {
namespace {

TEST_P(protocol_test, online_counts_every_client_and_quit_says_bye) {
    const auto port = start();
    ASSERT_NE(port, 0);
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<client>(port));
        // Once it has answered, the server has accepted this client.
        EXPECT_EQ(clients.back()->ask("robot " + std::to_string(i)),
                  fenced("robot " + std::to_string(i)));
    }
    for (auto& c : clients) EXPECT_EQ(c->ask("/online"), "online 3");

    ASSERT_TRUE(clients[2]->send("/quit\nnever answered\n/online\n"));
    std::string rest;
    EXPECT_TRUE(clients[2]->read_to_eof(rest)) << "/quit must close the connection";
    EXPECT_EQ(rest, "bye\n");
    EXPECT_EQ(online_on(*clients[0], 2), "online 2");
    EXPECT_EQ(online_eventually(port, 3), 3) << "two clients and the asker";
}

TEST_P(protocol_test, quit_after_a_long_pipeline_still_delivers_every_reply_and_bye) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client c(port);
    // Megabytes of replies are still on their way when the server reaches /quit, and lines the
    // server will never read follow it: closing must not throw the unsent replies away (a close
    // with unread input would reset the connection).
    std::string requests, expected;
    for (int i = 0; requests.size() < 2 * 1024 * 1024; ++i) {
        const std::string payload = "before quit " + std::to_string(i);
        requests += payload + "\n";
        expected += echo(payload);
    }
    requests += "/quit\n";
    expected += "bye\n";
    // More than one 64 KiB read past /quit, so some of it is never read by the server.
    for (int i = 0; i < 6000; ++i) requests += "ignored after quit " + std::to_string(i) + "\n";
    std::thread writer([&] { c.send(requests); });
    std::this_thread::sleep_for(200ms);  // let the replies pile up unread
    std::string got;
    EXPECT_TRUE(c.read_to_eof(got, 20s));
    writer.join();
    EXPECT_TRUE(got == expected) << first_difference(got, expected);
}

TEST_P(protocol_test, presence_drops_after_fin) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client stays(port), leaves(port);
    EXPECT_EQ(stays.ask("a"), fenced("a"));
    EXPECT_EQ(leaves.ask("b"), fenced("b"));
    EXPECT_EQ(online_on(stays, 2), "online 2");
    leaves.close();
    EXPECT_EQ(online_on(stays, 1), "online 1");
}

TEST_P(protocol_test, presence_drops_after_rst) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client stays(port), quiet(port), busy(port);
    EXPECT_EQ(stays.ask("a"), fenced("a"));
    EXPECT_EQ(quiet.ask("b"), fenced("b"));
    EXPECT_EQ(busy.ask("c"), fenced("c"));
    EXPECT_EQ(online_on(stays, 3), "online 3");
    quiet.reset();
    EXPECT_EQ(online_on(stays, 2), "online 2");
    // A reset in the middle of a conversation, with replies still on their way.
    std::string requests;
    for (int i = 0; i < 4000; ++i) requests += "unread request " + std::to_string(i) + "\n";
    ASSERT_TRUE(busy.send(requests));
    busy.reset();
    EXPECT_EQ(online_on(stays, 1), "online 1");
}

TEST_P(protocol_test, half_close_answers_complete_lines_then_closes) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client stays(port), half(port);
    EXPECT_EQ(stays.ask("a"), fenced("a"));
    EXPECT_EQ(half.ask("b"), fenced("b"));
    EXPECT_EQ(online_on(stays, 2), "online 2");
    ASSERT_TRUE(half.send("one\ntwo\r\n/online\npartial line"));
    half.shutdown_write();
    std::string got;
    EXPECT_TRUE(half.read_to_eof(got)) << "after EOF the server answers, then closes";
    EXPECT_EQ(got, echo("one") + echo("two") + "online 2\n") << "the partial line is dropped";
    // `half` still holds its socket open, but the server closed its side: it is offline.
    EXPECT_EQ(online_on(stays, 1), "online 1");
}

TEST_P(protocol_test, half_close_with_megabytes_of_replies_pending_gets_every_reply) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client c(port);
    ASSERT_EQ(c.ask("a"), fenced("a"));
    // 3 MiB of requests, then EOF, while nobody reads yet: the server sees the EOF only when its
    // output is far from drained, and must still deliver every reply before it closes.
    std::string requests, expected;
    for (int i = 0; requests.size() < 3 * 1024 * 1024; ++i) {
        const std::string payload = "pending " + std::to_string(i);
        requests += payload + "\n";
        expected += echo(payload);
    }
    std::atomic<bool> written{false};
    std::thread writer([&] {
        if (c.send(requests)) c.shutdown_write();
        written = true;
    });
    for (int i = 0; i < 100 && !written; ++i) std::this_thread::sleep_for(10ms);
    std::string got;
    EXPECT_TRUE(c.read_to_eof(got, 20s)) << "the server must close after the last reply";
    writer.join();
    EXPECT_TRUE(got == expected) << first_difference(got, expected);
}

}  // namespace
}  // namespace robotbench::test
