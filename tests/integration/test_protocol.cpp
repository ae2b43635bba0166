// Robot protocol v1 (docs/protocol.md) over real sockets, for every backend: each test starts
// `robotbench serve --backend=NAME --port=0` and talks to it as a client would. Run one backend
// with --gtest_filter='*/fork' (or '*fork*'); a '-' in a backend name is '_' in test names.
// This file: the framing of lines (fences, pipelining, reassembly, CR, bytes, too-long lines).
// The suite goes on in test_protocol_sessions.cpp (online, quit, FIN and RST, half close) and
// test_protocol_server.cpp (many clients, slow readers, signals, --max-conns).

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/client.hpp"
#include "support/protocol_test.hpp"

namespace robotbench::test {
namespace {

using namespace std::string_literals;

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

INSTANTIATE_TEST_SUITE_P(backends, protocol_test, ::testing::ValuesIn(every_backend()),
                         backend_param_name);

}  // namespace
}  // namespace robotbench::test
