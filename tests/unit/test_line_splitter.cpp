// The line splitter: LF ends a line, one CR before it is dropped, limits hold across chunks, and
// the lines do not depend on how the stream was cut.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "protocol/line_splitter.hpp"

namespace robotbench::protocol {
namespace {

using namespace std::string_literals;

std::vector<std::string> split(line_splitter& s, std::string_view bytes, split_status& status) {
    std::vector<std::string> lines;
    status = s.feed(bytes, [&](std::string_view line) {
        lines.emplace_back(line);
        return true;
    });
    return lines;
}

// Everything one stream produced: its lines, the first status that was not ok (or ok), and the
// bytes of an unfinished line left buffered.
struct stream_result {
    std::vector<std::string> lines;
    split_status status = split_status::ok;
    std::size_t buffered = 0;
    bool operator==(const stream_result&) const = default;
};

// Feeds `input` in chunks of the sizes `next_size` picks, until the end or a status that is not ok.
template <class NextSize>
stream_result split_stream(std::string_view input, std::size_t max, NextSize&& next_size) {
    line_splitter s(max);
    stream_result r;
    for (std::size_t at = 0; at < input.size() && r.status == split_status::ok;) {
        const std::size_t n = std::min<std::size_t>(next_size(), input.size() - at);
        auto more = split(s, input.substr(at, n), r.status);
        r.lines.insert(r.lines.end(), more.begin(), more.end());
        at += n;
    }
    r.buffered = r.status == split_status::ok ? s.buffered() : 0;
    return r;
}

// The result of splitting `input` whole, after checking that one byte at a time and random
// chunk sizes (several seeds) give the very same lines and status.
stream_result split_all(std::string_view input, std::size_t max) {
    const auto whole =
        split_stream(input, max, [&] { return std::max<std::size_t>(input.size(), 1); });
    EXPECT_EQ(split_stream(input, max, [] { return std::size_t{1}; }), whole) << "byte at a time";
    for (const std::uint32_t seed : {1u, 5u, 99u, 31337u}) {
        std::mt19937 rng(seed);
        std::uniform_int_distribution<std::size_t> size(1, max + 3);
        EXPECT_EQ(split_stream(input, max, [&] { return size(rng); }), whole) << "seed " << seed;
    }
    return whole;
}

using lines = std::vector<std::string>;

TEST(line_splitter, drops_one_cr_before_lf) {
    line_splitter s(16);
    split_status status;
    EXPECT_EQ(split(s, "a\r\nb\r\r\n\n", status), (std::vector<std::string>{"a", "b\r", ""}));
    EXPECT_EQ(status, split_status::ok);
}

TEST(line_splitter, lines_do_not_depend_on_the_cuts) {
    EXPECT_EQ(split_all("a\r\nb\r\r\n\nccc\nrest", 16),
              (stream_result{lines{"a", "b\r", "", "ccc"}, split_status::ok, 4}));
    EXPECT_EQ(split_all("\r\n\r\r\n\ra\rb\n", 16),
              (stream_result{lines{"", "\r", "\ra\rb"}, split_status::ok, 0}));
    const std::string binary = "\0\xff\x80 h\xc3\xa9"s;
    EXPECT_EQ(split_all(binary + "\n" + binary + "\r\n", 16),
              (stream_result{lines{binary, binary}, split_status::ok, 0}));
}

TEST(line_splitter, max_payload_bytes_pass_with_or_without_cr) {
    EXPECT_EQ(split_all("12345678\n", 8), (stream_result{lines{"12345678"}, split_status::ok, 0}));
    EXPECT_EQ(split_all("12345678\r\n", 8),
              (stream_result{lines{"12345678"}, split_status::ok, 0}));
}

TEST(line_splitter, one_byte_more_is_too_long) {
    EXPECT_EQ(split_all("ok\n123456789\nnever\n", 8),
              (stream_result{lines{"ok"}, split_status::too_long, 0}));
    EXPECT_EQ(split_all("123456789\r\n", 8), (stream_result{lines{}, split_status::too_long, 0}));
}

TEST(line_splitter, without_lf_holds_max_plus_one_bytes_and_no_more) {
    EXPECT_EQ(split_all("123456789", 8), (stream_result{lines{}, split_status::ok, 9}));
    EXPECT_EQ(split_all("ok\n1234567890", 8),
              (stream_result{lines{"ok"}, split_status::too_long, 0}));
    line_splitter s(8);
    split_status status;
    split(s, "12345678\r", status);
    EXPECT_EQ(status, split_status::ok);
    EXPECT_EQ(s.buffered(), 9u);
    EXPECT_EQ(split(s, "\n", status), lines{"12345678"}) << "max bytes + CR, then the LF";
    EXPECT_EQ(s.buffered(), 0u);
}

TEST(line_splitter, stops_when_the_callback_says_so) {
    line_splitter s(16);
    std::vector<std::string> seen;
    const auto status = s.feed(std::string_view("a\nstop\nb\nc"), [&](std::string_view line) {
        seen.emplace_back(line);
        return line != "stop";
    });
    EXPECT_EQ(status, split_status::stopped);
    EXPECT_EQ(seen, (lines{"a", "stop"}));
    EXPECT_EQ(s.buffered(), 0u) << "bytes after the stopping line are not looked at";
}

TEST(line_splitter, complete_lines_are_views_into_the_input) {
    line_splitter s(16);
    const std::string input = "abc\ndef\n";
    std::vector<const char*> starts;
    s.feed(std::string_view(input), [&](std::string_view line) {
        starts.push_back(line.data());
        return true;
    });
    EXPECT_EQ(starts, (std::vector<const char*>{input.data(), input.data() + 4}));
}

TEST(line_splitter, clear_forgets_the_unfinished_line) {
    line_splitter s(16);
    split_status status;
    split(s, "part", status);
    EXPECT_EQ(s.buffered(), 4u);
    s.clear();
    EXPECT_EQ(s.buffered(), 0u);
    EXPECT_EQ(split(s, "new\n", status), lines{"new"});
}

}  // namespace
}  // namespace robotbench::protocol
