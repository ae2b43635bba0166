// Robot protocol v1 (docs/protocol.md) over real sockets, for every backend: each test starts
// `robotbench serve --backend=NAME --port=0` and talks to it as a client would. Run one backend
// with --gtest_filter='*/fork' (or '*fork*'); a '-' in a backend name is '_' in test names.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/backends.hpp"
#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

using namespace std::string_literals;

// A reply line as it travels, LF included.
std::string echo(std::string_view payload) {
    return "===="s.append(payload) + "====\n";
}
// A reply line as client::ask and read_line return it, without the LF.
std::string fenced(std::string_view payload) {
    return "===="s.append(payload) + "====";
}

// Where two long byte strings part, so a failure message stays readable.
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

// Asks `/online` on an open connection until it reports `expected` or 3 s pass; returns the
// last reply.
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

// Reads one reply from each client and counts those equal to fenced(prefix + index); all the
// reads share one 10 s deadline, so a server that drops clients fails fast.
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

class protocol_test : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (const auto why = backend_unavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    }
    // Starts the backend under test; returns its port, or 0 when it did not start.
    std::uint16_t start(const std::vector<std::string>& extra = {}) {
        server_.emplace(GetParam(), extra);
        if (GetParam() == "prefork" && server_->port() != 0) await_prefork_pool(extra);
        return server_->port();
    }
    // A prefork server forks its pool after it printed the port: waits up to 30 s for the
    // whole pool (--workers, default 128), so a test measures a server that has started.
    void await_prefork_pool(const std::vector<std::string>& extra) {
        std::size_t workers = 128;
        for (const auto& arg : extra)
            if (arg.starts_with("--workers=")) workers = std::stoul(arg.substr(10));
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (descendant_pids(server_->pid()).size() < workers &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(10ms);
        EXPECT_EQ(descendant_pids(server_->pid()).size(), workers) << "the prefork pool";
    }
    server_process& server() { return *server_; }

private:
    std::optional<server_process> server_;
};

TEST_P(protocol_test, echoes_lines_between_fences) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client c(port);
    ASSERT_TRUE(c.connected());
    EXPECT_EQ(c.ask("hello"), fenced("hello"));
    EXPECT_EQ(c.ask(""), "========");
    EXPECT_EQ(c.ask("  spaces\tand tabs "), fenced("  spaces\tand tabs "));
    for (const char* look_alike : {"/foo", "/", "/online ", "/onlinex", "/quit ", "/QUIT"})
        EXPECT_EQ(c.ask(look_alike), fenced(look_alike)) << "only the exact commands are commands";
    EXPECT_EQ(c.ask("/online"), "online 1");
}

TEST_P(protocol_test, answers_1000_pipelined_lines_in_one_write_in_order) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client c(port);
    std::string requests, expected;
    for (int i = 0; i < 1000; ++i) {
        const std::string payload = "request " + std::to_string(i) + " " + std::string(i % 61, 'p');
        requests += payload + "\n";
        expected += echo(payload);
        if (i == 500) {  // a command in the middle of the pipeline is answered in its place
            requests += "/online\n";
            expected += "online 1\n";
        }
    }
    ASSERT_TRUE(c.send(requests));  // one blocking send(2) of ~40 KB
    const auto got = c.read_bytes(expected.size(), 10s);
    EXPECT_TRUE(got == expected) << first_difference(got, expected);
    EXPECT_EQ(c.ask("after"), fenced("after")) << "no stray bytes after the 1,000 replies";
}

TEST_P(protocol_test, input_sent_one_byte_per_send_is_reassembled) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client c(port);
    c.set_nodelay();
    ASSERT_TRUE(c.send_bytewise("hello\r\n/online\n\none byte at a time\n", 300us));
    EXPECT_EQ(c.read_line(), fenced("hello"));
    EXPECT_EQ(c.read_line(), "online 1");
    EXPECT_EQ(c.read_line(), "========");
    EXPECT_EQ(c.read_line(), fenced("one byte at a time"));
    const std::string longer(300, 'b');
    ASSERT_TRUE(c.send_bytewise(longer + "\n"));
    EXPECT_EQ(c.read_line(), fenced(longer));
    ASSERT_TRUE(c.send_bytewise("/quit\n", 300us));
    std::string rest;
    EXPECT_TRUE(c.read_to_eof(rest));
    EXPECT_EQ(rest, "bye\n");
}

TEST_P(protocol_test, drops_one_cr_before_lf) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client c(port);
    ASSERT_TRUE(c.send("plain\r\ncr kept\r\r\n\r\n/online\r\nmid\rdle\n"));
    EXPECT_EQ(c.read_line(), fenced("plain"));
    EXPECT_EQ(c.read_line(), fenced("cr kept\r"));
    EXPECT_EQ(c.read_line(), "========");
    EXPECT_EQ(c.read_line(), "online 1");
    EXPECT_EQ(c.read_line(), fenced("mid\rdle"));
    ASSERT_TRUE(c.send("/quit\r\n"));
    std::string rest;
    EXPECT_TRUE(c.read_to_eof(rest));
    EXPECT_EQ(rest, "bye\n");
}

TEST_P(protocol_test, binary_and_utf8_payloads_come_back_byte_for_byte) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client c(port);
    std::string every_byte;  // 0x00..0xFF except LF; its CR is mid-line, so it is payload
    for (int b = 0; b < 256; ++b)
        if (b != '\n') every_byte.push_back(static_cast<char>(b));
    const std::vector<std::string> payloads{
        every_byte,
        "\0"s,
        "\0\0nul\0"s,
        "\xff\xff\xff",
        "\xc3\xa9t\xc3\xa9 \xe2\x82\xac",
        "\xe3\x83\xad\xe3\x83\x9c\xe3\x83\x83\xe3\x83\x88 \xf0\x9f\xa4\x96",
        "\x80\xc0 bad utf-8"};
    std::string requests, expected;
    for (const auto& p : payloads) {
        requests += p + "\n";
        expected += echo(p);
    }
    ASSERT_TRUE(c.send(requests));
    const auto got = c.read_bytes(expected.size());
    EXPECT_TRUE(got == expected) << first_difference(got, expected);
}

TEST_P(protocol_test, too_long_line_with_lf_gets_an_error_then_eof) {
    const auto port = start();
    ASSERT_NE(port, 0);
    client fits(port);
    const std::string max(4096, 'm');
    EXPECT_EQ(fits.ask(max), fenced(max)) << "exactly --max-line bytes (default 4096) is fine";
    EXPECT_EQ(fits.ask(max + "\r"), fenced(max)) << "max bytes and a CR is fine";

    client c(port);
    ASSERT_TRUE(c.send("before\n" + std::string(4097, 'x') + "\nafter\n/online\n"));
    std::string got;
    EXPECT_TRUE(c.read_to_eof(got)) << "the server must close after the error";
    EXPECT_EQ(got, echo("before") + "!ERR line too long\n");
    EXPECT_EQ(online_eventually(port, 2), 2) << "the refused client is counted off";
    EXPECT_EQ(fits.ask("still"), fenced("still")) << "other clients are unaffected";
}

TEST_P(protocol_test, too_long_line_without_lf_is_cut_off) {
    const auto port = start();
    ASSERT_NE(port, 0);
    // max + 2 bytes without LF can never become a valid line: cut off without waiting for one.
    client c(port);
    ASSERT_TRUE(c.send("before\n" + std::string(4098, 'x')));
    std::string got;
    EXPECT_TRUE(c.read_to_eof(got)) << "a client that never sends LF must be cut off";
    EXPECT_EQ(got, echo("before") + "!ERR line too long\n");

    // A client that streams far more without LF is cut off as well.
    client flood(port);
    ASSERT_TRUE(flood.send(std::string(60000, 'f')));
    got.clear();
    EXPECT_TRUE(flood.read_to_eof(got));
    EXPECT_EQ(got, "!ERR line too long\n");

    // max + 1 bytes could still be max bytes and a CR: no reply, the connection stays open.
    client waits(port);
    const std::string max(4096, 'y');
    ASSERT_TRUE(waits.send(max + "\r"));
    EXPECT_EQ(waits.read_line(300ms), std::nullopt) << "max+1 bytes without LF is not an error";
    ASSERT_TRUE(waits.send("\n"));
    EXPECT_EQ(waits.read_line(), fenced(max));
}

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

INSTANTIATE_TEST_SUITE_P(backends, protocol_test, ::testing::ValuesIn(every_backend()),
                         backend_param_name);

}  // namespace
}  // namespace robotbench::test
