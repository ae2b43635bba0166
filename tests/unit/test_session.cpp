// protocol::session: every rule of the robot protocol v1 (docs/protocol.md), fed whole, one byte
// at a time and in random chunk sizes; the replies must not depend on how the bytes were cut.

#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/session.hpp"

namespace robotbench::protocol {
namespace {

using namespace std::string_literals;

// The count every `/online` in these tests reports.
constexpr std::int64_t online_now = 7;

// Seeds for the random cuts; each gives a different way of splitting the same input.
constexpr std::uint32_t seeds[] = {1, 2, 3, 42, 1234, 20240601};

// What a client would see: every reply byte in order, and whether the server is closing.
struct outcome {
    std::string output;
    bool closing = false;
    bool operator==(const outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const outcome& o) {
    return os << "{output=" << ::testing::PrintToString(o.output) << ", closing=" << o.closing
              << "}";
}

// Takes every pending reply byte out of `s` into `out`.
void drain(session& s, std::string& out) {
    const auto pending = s.output();
    out.append(pending.data(), pending.size());
    s.consume(pending.size());
}

// Feeds `input` in chunks whose sizes `next_size` picks, draining the replies after each chunk
// as a transport would; then reports EOF if asked.
template <class NextSize>
outcome drive(std::string_view input, const session_limits& limits, bool eof,
              NextSize&& next_size) {
    session s(limits);
    outcome result;
    for (std::size_t at = 0; at < input.size();) {
        const std::size_t n = std::min<std::size_t>(next_size(), input.size() - at);
        s.on_input(std::span<const char>(input.data() + at, n), online_now);
        drain(s, result.output);
        at += n;
    }
    if (eof) s.on_eof();
    drain(s, result.output);
    result.closing = s.closing();
    EXPECT_EQ(s.finished(), s.closing()) << "a drained session is finished exactly when closing";
    return result;
}

outcome feed_whole(std::string_view input, const session_limits& limits, bool eof) {
    return drive(input, limits, eof, [&] { return std::max<std::size_t>(input.size(), 1); });
}

// Random chunk sizes: mostly small (the cuts land everywhere, also between CR and LF), now and
// then large.
outcome feed_randomly(std::string_view input, const session_limits& limits, bool eof,
                      std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> small(1, 7), large(1, 2 * limits.max_line + 16);
    std::bernoulli_distribution pick_large(0.2);
    return drive(input, limits, eof, [&] { return pick_large(rng) ? large(rng) : small(rng); });
}

// The outcome of feeding `input` whole, after checking that byte-at-a-time and random cuts give
// exactly the same bytes and state.
outcome run(std::string_view input, const session_limits& limits = {}, bool eof = false) {
    const outcome whole = feed_whole(input, limits, eof);
    EXPECT_EQ(drive(input, limits, eof, [] { return std::size_t{1}; }), whole)
        << "fed one byte at a time";
    for (const auto seed : seeds)
        EXPECT_EQ(feed_randomly(input, limits, eof, seed), whole) << "random cuts, seed " << seed;
    return whole;
}

session_limits max_line(std::size_t n) {
    return {.max_line = n, .max_output = default_max_output};
}

std::string echo(std::string_view payload) {
    return "===="s.append(payload) + "====\n";
}

TEST(session, echoes_each_line_between_fences) {
    EXPECT_EQ(run("hello\n"), (outcome{echo("hello"), false}));
    EXPECT_EQ(run("a\nbb\nccc\n"), (outcome{echo("a") + echo("bb") + echo("ccc"), false}));
    EXPECT_EQ(run("with spaces  and\ttabs\n"), (outcome{echo("with spaces  and\ttabs"), false}));
}

TEST(session, empty_line_gets_eight_fences) {
    EXPECT_EQ(run("\n"), (outcome{"========\n", false}));
    EXPECT_EQ(run("\r\n"), (outcome{"========\n", false}));
    EXPECT_EQ(run("\n\n\nx\n"), (outcome{"========\n========\n========\n" + echo("x"), false}));
}

TEST(session, one_cr_before_lf_is_dropped_and_every_other_cr_is_payload) {
    EXPECT_EQ(run("a\r\n").output, echo("a"));
    EXPECT_EQ(run("a\r\r\n").output, echo("a\r"));
    EXPECT_EQ(run("\r\r\n").output, echo("\r"));
    EXPECT_EQ(run("a\rb\n").output, echo("a\rb"));
    EXPECT_EQ(run("\ra\n").output, echo("\ra"));
    EXPECT_EQ(run("a\r\nb\n\r\n").output, echo("a") + echo("b") + echo(""));
}

TEST(session, a_cr_at_the_end_of_a_chunk_is_still_dropped) {
    // The CR arrives in one read and its LF in the next: every cut position of a CRLF stream.
    const std::string input = "one\r\ntwo\r\r\n\r\n";
    const std::string expected = echo("one") + echo("two\r") + echo("");
    for (std::size_t cut = 0; cut <= input.size(); ++cut) {
        session s;
        std::string out;
        s.on_input(std::span<const char>(input.data(), cut), online_now);
        s.on_input(std::span<const char>(input.data() + cut, input.size() - cut), online_now);
        drain(s, out);
        EXPECT_EQ(out, expected) << "cut at " << cut;
    }
}

TEST(session, binary_payloads_are_echoed_byte_for_byte) {
    const std::string nul = "a\0b\0"s;
    EXPECT_EQ(run(nul + "\n").output, echo(nul));
    EXPECT_EQ(run("\xff\xfe\x80\x01\n").output, echo("\xff\xfe\x80\x01"));
    const std::string utf8 = "h\xc3\xa9llo w\xc3\xb6rld \xe2\x80\x94 \xf0\x9f\xa4\x96";
    EXPECT_EQ(run(utf8 + "\r\n").output, echo(utf8));
    std::string every_byte;  // 0x00..0xFF except LF; the CR sits in the middle, so it stays
    for (int b = 0; b < 256; ++b)
        if (b != '\n') every_byte.push_back(static_cast<char>(b));
    EXPECT_EQ(run(every_byte + "\n").output, echo(every_byte));
}

TEST(session, online_exactly_reports_the_count) {
    EXPECT_EQ(run("/online\n"), (outcome{"online 7\n", false}));
    EXPECT_EQ(run("/online\r\n"), (outcome{"online 7\n", false}));
    EXPECT_EQ(run("x\n/online\ny\n").output, echo("x") + "online 7\n" + echo("y"));
    for (const std::int64_t count : {std::int64_t{0}, std::int64_t{1}, std::int64_t{1001},
                                     std::int64_t{9'000'000'000'000'000'000}}) {
        session s;
        std::string out;
        s.on_input(std::string_view("/online\n"), count);
        drain(s, out);
        EXPECT_EQ(out, "online " + std::to_string(count) + "\n");
        EXPECT_EQ(parse_online_reply(std::string_view(out).substr(0, out.size() - 1)), count);
    }
}

TEST(session, lines_that_only_look_like_commands_are_echoed) {
    for (const std::string line :
         {"/online ", "/onlinex", "/onlin", "/Online", " /online", "/online\r", "/foo", "/",
          "//online", "/quit ", "/quitx", "/QUIT", " /quit", "/qui"}) {
        SCOPED_TRACE(::testing::PrintToString(line));
        // With CRLF only the last CR is dropped, so "/online\r\r\n" keeps one and is echoed.
        EXPECT_EQ(run(line + "\r\n"), (outcome{echo(line), false}));
        if (!line.ends_with('\r')) {
            EXPECT_EQ(run(line + "\n"), (outcome{echo(line), false}));
        }
    }
}

TEST(session, quit_says_bye_then_closes_and_ignores_later_lines) {
    EXPECT_EQ(run("/quit\n"), (outcome{"bye\n", true}));
    EXPECT_EQ(run("/quit\r\n"), (outcome{"bye\n", true}));
    EXPECT_EQ(run("a\n/quit\nb\n/online\n"), (outcome{echo("a") + "bye\n", true}));
    EXPECT_EQ(run("a\n/quit\npartial"), (outcome{echo("a") + "bye\n", true}));

    session s;
    std::string out;
    s.on_input(std::string_view("/quit\n"), online_now);
    EXPECT_TRUE(s.closing());
    EXPECT_FALSE(s.wants_input()) << "a closing session reads no more";
    EXPECT_FALSE(s.finished()) << "bye is not sent yet";
    s.on_input(std::string_view("later\n/online\n"), online_now);
    drain(s, out);
    EXPECT_EQ(out, "bye\n");
    EXPECT_TRUE(s.finished());
}

TEST(session, on_input_returns_the_lines_it_completed_which_idle_timeouts_count) {
    // A byte trickle that never completes a line is no progress; a line finished across two
    // reads counts once, in the read that brought its LF.
    session s(max_line(8));
    EXPECT_EQ(s.on_input(std::string_view("ab"), online_now), 0u);
    EXPECT_EQ(s.on_input(std::string_view("c"), online_now), 0u);
    EXPECT_EQ(s.on_input(std::string_view("\nd\r\n\ne"), online_now), 3u);
    EXPECT_EQ(s.on_input(std::string_view("\n/quit\nlater\n"), online_now), 2u)
        << "the lines up to /quit; nothing after it is handled";
    EXPECT_EQ(s.on_input(std::string_view("more\n"), online_now), 0u) << "closing";

    session too_long(max_line(8));
    EXPECT_EQ(too_long.on_input(std::string_view("ok\n123456789\nlater\n"), online_now), 1u);
    EXPECT_TRUE(too_long.closing());
}

TEST(session, a_line_of_exactly_max_line_bytes_is_echoed) {
    EXPECT_EQ(run("12345678\n", max_line(8)), (outcome{echo("12345678"), false}));
    const std::string full(default_max_line, 'x');
    EXPECT_EQ(run(full + "\n"), (outcome{echo(full), false}));
}

TEST(session, max_line_bytes_plus_a_cr_is_accepted) {
    EXPECT_EQ(run("12345678\r\n", max_line(8)), (outcome{echo("12345678"), false}));
    const std::string full(default_max_line, 'x');
    EXPECT_EQ(run(full + "\r\n"), (outcome{echo(full), false}));
}

TEST(session, one_byte_past_max_line_is_an_error_then_close) {
    EXPECT_EQ(run("123456789\n", max_line(8)), (outcome{"!ERR line too long\n", true}));
    EXPECT_EQ(run("123456789\r\n", max_line(8)), (outcome{"!ERR line too long\n", true}));
    // Earlier complete lines are answered first; nothing after the error is.
    EXPECT_EQ(run("ok\n123456789\nlater\n/online\n", max_line(8)),
              (outcome{echo("ok") + "!ERR line too long\n", true}));
    const std::string over(default_max_line + 1, 'x');
    EXPECT_EQ(run("a\n" + over + "\nb\n"), (outcome{echo("a") + "!ERR line too long\n", true}));
}

TEST(session, without_lf_the_cutoff_comes_at_max_line_plus_two_buffered_bytes) {
    // max+1 bytes could still be max bytes and a CR: wait for more.
    EXPECT_EQ(run("123456789", max_line(8)), (outcome{"", false}));
    EXPECT_EQ(run("12345678\r", max_line(8)), (outcome{"", false}));
    // max+2 bytes without LF can never become a valid line: cut off at once.
    EXPECT_EQ(run("1234567890", max_line(8)), (outcome{"!ERR line too long\n", true}));
    EXPECT_EQ(run("ok\n1234567890", max_line(8)),
              (outcome{echo("ok") + "!ERR line too long\n", true}));
    EXPECT_EQ(run(std::string(default_max_line + 1, 'x')), (outcome{"", false}));
    EXPECT_EQ(run(std::string(default_max_line + 2, 'x')), (outcome{"!ERR line too long\n", true}));
    // A client that trickles bytes without LF is cut off by the byte that makes max+2.
    session s(max_line(8));
    std::string out;
    for (int i = 0; i < 9; ++i) s.on_input(std::string_view("y"), online_now);
    drain(s, out);
    EXPECT_EQ(out, "");
    EXPECT_FALSE(s.closing());
    s.on_input(std::string_view("y"), online_now);
    drain(s, out);
    EXPECT_EQ(out, "!ERR line too long\n");
    EXPECT_TRUE(s.finished());
}

TEST(session, eof_answers_complete_lines_and_drops_a_partial_one) {
    EXPECT_EQ(run("a\nb", {}, true), (outcome{echo("a"), true}));
    EXPECT_EQ(run("a\r\nb\r", {}, true), (outcome{echo("a"), true}));
    EXPECT_EQ(run("", {}, true), (outcome{"", true}));
    EXPECT_EQ(run("/online\n", {}, true), (outcome{"online 7\n", true}));

    session s;
    std::string out;
    s.on_input(std::string_view("x\npart"), online_now);
    s.on_eof();
    EXPECT_FALSE(s.wants_input());
    s.on_input(std::string_view("ial\n"), online_now);  // ignored: the client said it was done
    drain(s, out);
    EXPECT_EQ(out, echo("x"));
    EXPECT_TRUE(s.finished());
}

TEST(session, backpressure_pauses_input_past_max_output_and_resumes_after_consume) {
    const session_limits limits{.max_line = 64, .max_output = 1000};
    const std::string line = "0123456789abcdef";  // reply: 25 bytes
    session s(limits);
    std::string expected, got;
    int fed = 0;
    while (s.wants_input()) {
        s.on_input(std::string_view(line + "\n"), online_now);
        expected += echo(line);
        ASSERT_LT(++fed, 1000) << "wants_input never turned false";
    }
    EXPECT_GE(s.output().size(), limits.max_output);
    EXPECT_LT(s.output().size(), limits.max_output + echo(line).size());
    EXPECT_FALSE(s.closing()) << "backpressure pauses the client; it does not close it";
    // Consuming down to just under the bound resumes input.
    const std::size_t keep = limits.max_output - 1;
    const auto first = s.output().first(s.output().size() - keep);
    got.append(first.data(), first.size());
    s.consume(first.size());
    EXPECT_TRUE(s.wants_input());
    s.on_input(std::string_view("/online\n"), online_now);
    expected += "online 7\n";
    drain(s, got);
    EXPECT_EQ(got, expected);
    EXPECT_TRUE(s.wants_input());
}

// Bytes the C heap has handed out and not taken back, or 0 when the allocator does not say
// (a sanitizer's allocator).
std::size_t heap_in_use() {
    const auto info = ::mallinfo2();
    return info.uordblks + info.hblkhd;
}

// True when heap_in_use() sees a 4 MiB allocation (not so under AddressSanitizer).
bool heap_accounting_works() {
    const auto before = heap_in_use();
    std::vector<char> probe(4 << 20, 1);
    return heap_in_use() >= before + probe.size();
}

TEST(session, partial_consumes_keep_bytes_in_order_and_memory_bounded) {
    // A reader that takes a random part of what is pending each time, never all of it, while a
    // writer pipelines 64 KiB reads whenever the session wants input: about 45 MiB of replies
    // pass through one session.
    const session_limits limits{.max_line = 128, .max_output = 1 << 20};
    std::mt19937 rng(7);
    std::string chunk;  // one read's worth of numbered lines
    std::uint64_t next_line = 0, chunks_fed = 0;
    std::string expected;  // replies not yet compared
    auto refill = [&] {
        chunk.clear();
        while (chunk.size() < 64 * 1024) {
            char payload[128];  // 120 bytes: "line NNN..." and padding
            const int n = std::snprintf(payload, sizeof payload, "line %012llu %106s",
                                        static_cast<unsigned long long>(next_line++), "padding");
            chunk.append(payload, n).push_back('\n');
            expected.append(fence).append(payload, n).append(fence).push_back('\n');
        }
    };
    const auto baseline = heap_in_use();
    std::size_t peak = 0, max_pending = 0, checked = 0;
    {
        session s(limits);
        for (int round = 0; round < 600; ++round) {
            if (s.wants_input()) {
                refill();
                s.on_input(chunk, online_now);
                ++chunks_fed;
            }
            const auto out = s.output();
            max_pending = std::max(max_pending, out.size());
            if (out.size() < 2) continue;
            std::uniform_int_distribution<std::size_t> part(1, out.size() - 1);
            const std::size_t n = part(rng);
            ASSERT_TRUE(std::string_view(out.data(), n) ==
                        std::string_view(expected).substr(checked, n))
                << "reply bytes out of order near byte " << checked << " in round " << round;
            checked += n;
            s.consume(n);
            if (checked > (1 << 20)) {  // keep the reference string small as well
                expected.erase(0, checked);
                checked = 0;
            }
            peak = std::max(peak, heap_in_use());
        }
        // Finally drain everything: the rest must be exactly what is still expected.
        const auto rest = s.output();
        EXPECT_TRUE(std::string_view(rest.data(), rest.size()) ==
                    std::string_view(expected).substr(checked));
        s.consume(rest.size());
        EXPECT_TRUE(s.output().empty());
    }
    EXPECT_GT(chunks_fed, 300u) << "the test must push far more than max_output through";
    EXPECT_LT(max_pending, limits.max_output + 2 * 64 * 1024);
    // The session's buffer plus the reference string (a few MiB) and the chunk; without
    // compaction the session alone would hold every reply ever written (about 45 MiB).
    if (!heap_accounting_works()) GTEST_SKIP() << "order checked; mallinfo2 cannot see the heap";
    EXPECT_LT(peak - baseline, std::size_t{12} << 20)
        << "heap grew by " << (peak - baseline) / 1024 << " KiB";
}

TEST(session, a_full_drain_leaves_an_idle_session_small) {
    if (!heap_accounting_works()) GTEST_SKIP() << "mallinfo2 cannot see this allocator's heap";
    const auto baseline = heap_in_use();
    session s;
    std::string big;
    for (int i = 0; i < 60000; ++i) big += "0123456789012345678901234567890\n";  // ~1.9 MB in
    s.on_input(big, online_now);
    EXPECT_GT(heap_in_use(), baseline + (1 << 20));
    s.consume(s.output().size());
    big.clear();
    big.shrink_to_fit();
    EXPECT_LT(heap_in_use(), baseline + 512 * 1024) << "an idle session keeps its large buffer";
}

}  // namespace
}  // namespace robotbench::protocol
