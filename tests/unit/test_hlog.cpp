// The HdrHistogram interval log: our histogram's layout is HdrHistogram's for (1, 60 s, 3
// digits), the V2 compressed encoding decodes back to the counts recorded, and the log and the
// per-second timeline are cut from the run's intervals as the docs say.

#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <string>
#include <vector>

#include "harness/hlog.hpp"
#include "harness/timeline.hpp"
#include "loadgen/histogram.hpp"
#include "loadgen/intervals.hpp"

namespace robotbench {
namespace {

using loadgen::histogram;
using namespace std::chrono_literals;

// HdrHistogram's own definitions for lowest discernible value 1 and 3 significant digits,
// written out from its documentation: sub-bucket count 2^ceil(log2(2 * 10^3)), unit magnitude 0.
constexpr int sub_bucket_count_magnitude = 11;  // ceil(log2(2000))
constexpr std::uint64_t hdr_sub_bucket_count = 1u << sub_bucket_count_magnitude;
constexpr std::uint64_t hdr_sub_bucket_half = hdr_sub_bucket_count / 2;

std::size_t hdr_counts_index(std::uint64_t v) {
    const int bucket =
        64 - sub_bucket_count_magnitude - std::countl_zero(v | (hdr_sub_bucket_count - 1));
    const std::uint64_t sub_bucket = v >> bucket;
    return std::size_t((bucket + 1) * hdr_sub_bucket_half + (sub_bucket - hdr_sub_bucket_half));
}

std::size_t hdr_counts_length(std::uint64_t highest) {
    std::uint64_t smallest_untrackable = hdr_sub_bucket_count;
    std::size_t buckets = 1;
    while (smallest_untrackable <= highest) {
        smallest_untrackable <<= 1;
        ++buckets;
    }
    return (buckets + 1) * hdr_sub_bucket_half;
}

TEST(hlog, our_layout_is_hdrhistograms_for_the_header_we_write) {
    EXPECT_EQ(hlog_lowest_discernible, 1);
    EXPECT_EQ(hlog_significant_digits, 3);
    EXPECT_EQ(std::uint64_t(hlog_highest_trackable), histogram::highest);
    EXPECT_EQ(histogram::counts_length(), hdr_counts_length(histogram::highest));
    for (std::uint64_t v :
         {0ull, 1ull, 1000ull, 2047ull, 2048ull, 2049ull, 4095ull, 4096ull, 123'456ull,
          1'000'000ull, 999'999'999ull, 59'999'999'999ull, 60'000'000'000ull})
        EXPECT_EQ(histogram::index_of(v), hdr_counts_index(v)) << v;
}

TEST(hlog, v2_encoding_has_the_header_and_zigzag_leb128_counts) {
    histogram h;
    h.record(1000);  // index 1000
    h.record(1000);
    h.record(1003);                                // index 1003: two zeros between
    for (int i = 0; i < 300; ++i) h.record(1005);  // one zero between, then 300
    const auto bytes = encode_v2(h.snapshot());
    ASSERT_GE(bytes.size(), 40u);
    const std::vector<std::uint8_t> cookie(bytes.begin(), bytes.begin() + 4);
    EXPECT_EQ(cookie, (std::vector<std::uint8_t>{0x1c, 0x84, 0x93, 0x13}));
    const std::vector<std::uint8_t> payload(bytes.begin() + 40, bytes.end());
    // 1000 zeros: zigzag(-1000) = 1999 = 0xcf 0x0f; 2: 0x04; two zeros: zigzag(-2) = 3; 1:
    // zigzag 2; one zero: 0; 300: zigzag 600 = 0xd8 0x04.
    EXPECT_EQ(payload, (std::vector<std::uint8_t>{0xcf, 0x0f, 0x04, 0x03, 0x02, 0x00, 0xd8, 0x04}));
    EXPECT_EQ(bytes[7], payload.size());  // payload length, big-endian
}

TEST(hlog, compressed_histogram_decodes_to_the_counts_recorded) {
    histogram h;
    const std::vector<std::uint64_t> values{1'000,       1'001,         2'047,   2'048,
                                            50'000,      50'000,        777'777, 12'345'678,
                                            999'999'999, 59'000'000'000};
    for (auto v : values) h.record(v);
    for (int i = 0; i < 100'000; ++i) h.record(40'000 + std::uint64_t(i % 5000) * 7);
    const auto snapshot = h.snapshot();
    const auto text = encode_compressed_base64(snapshot);
    EXPECT_TRUE(text.starts_with("HISTF")) << text.substr(0, 8);  // HdrHistogram's V2 mark
    const auto decoded = decode_compressed_base64(text);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->lowest_discernible, 1);
    EXPECT_EQ(decoded->highest_trackable, 60'000'000'000);
    EXPECT_EQ(decoded->significant_digits, 3);
    EXPECT_EQ(decoded->conversion_ratio, 1.0);
    ASSERT_EQ(decoded->counts.size(), std::size_t(snapshot.counts.back().first) + 1);
    std::uint64_t total = 0;
    std::size_t next = 0;
    for (const auto& [index, count] : snapshot.counts) {
        for (; next < index; ++next) EXPECT_EQ(decoded->counts[next], 0u) << next;
        EXPECT_EQ(decoded->counts[index], count) << index;
        next = std::size_t(index) + 1;
    }
    for (auto c : decoded->counts) total += c;
    EXPECT_EQ(total, h.count());
}

TEST(hlog, empty_histogram_round_trips) {
    const auto decoded = decode_compressed_base64(encode_compressed_base64(histogram().snapshot()));
    ASSERT_TRUE(decoded);
    EXPECT_TRUE(decoded->counts.empty());
}

TEST(hlog, decoder_refuses_what_is_not_a_compressed_histogram) {
    EXPECT_FALSE(decode_compressed_base64("not base64!"));
    EXPECT_FALSE(decode_compressed_base64(base64_encode({1, 2, 3, 4, 5, 6, 7, 8, 9})));
}

TEST(hlog, base64_matches_rfc_4648_vectors) {
    const auto bytes = [](std::string_view s) {
        return std::vector<std::uint8_t>(s.begin(), s.end());
    };
    EXPECT_EQ(base64_encode(bytes("")), "");
    EXPECT_EQ(base64_encode(bytes("f")), "Zg==");
    EXPECT_EQ(base64_encode(bytes("fo")), "Zm8=");
    EXPECT_EQ(base64_encode(bytes("foo")), "Zm9v");
    EXPECT_EQ(base64_encode(bytes("foobar")), "Zm9vYmFy");
    EXPECT_EQ(base64_decode("Zm9vYg=="), bytes("foob"));
    EXPECT_FALSE(base64_decode("Zm9"));
    EXPECT_FALSE(base64_decode("Z=9v"));
}

// Intervals of `length` each, interval k with k + 1 replies of (k + 1) µs.
std::vector<loadgen::interval_result> intervals(std::size_t n, std::chrono::nanoseconds length,
                                                std::chrono::nanoseconds last_length) {
    std::vector<loadgen::interval_result> out;
    for (std::size_t k = 0; k < n; ++k) {
        loadgen::interval_result r;
        r.begin = length * k;
        r.length = k + 1 == n ? last_length : length;
        r.requests = k + 1;
        r.errors = k == 3 ? 5 : 0;
        r.open_connections = 10 + k;
        histogram h;
        for (std::size_t i = 0; i <= k; ++i) h.record((k + 1) * 1000);
        r.latency = h.snapshot();
        out.push_back(r);
    }
    return out;
}

TEST(hlog, log_has_the_headers_the_legend_and_one_line_per_interval) {
    const auto start = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    const auto text = hlog_text(intervals(3, 1s, 500ms), start, "test");
    EXPECT_NE(
        text.find(
            "#[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]\n"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("#[BaseTime: 1700000000.000 (seconds since epoch)]\n"), std::string::npos);
    EXPECT_NE(text.find("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                        "\"Interval_Compressed_Histogram\"\n"),
              std::string::npos);
    EXPECT_NE(text.find("\n0.000,1.000,0.001,HISTF"), std::string::npos) << text;
    EXPECT_NE(text.find("\n1.000,1.000,0.002,HISTF"), std::string::npos) << text;
    EXPECT_NE(text.find("\n2.000,0.500,0.003,HISTF"), std::string::npos) << text;
}

TEST(hlog, timeline_makes_whole_seconds_of_shorter_intervals) {
    // 25 intervals of 100 ms, the last one 50 ms: 2.45 s, three rows.
    const auto rows = timeline_of(intervals(25, 100ms, 50ms), 100ms);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].second, 1u);
    EXPECT_EQ(rows[2].second, 3u);
    EXPECT_EQ(rows[0].requests, 55u);  // 1 + ... + 10
    EXPECT_DOUBLE_EQ(rows[0].throughput_rps, 55.0);
    EXPECT_EQ(rows[2].requests, 21u + 22 + 23 + 24 + 25);
    EXPECT_NEAR(rows[2].throughput_rps, 115 / 0.45, 1e-6);  // its true length
    EXPECT_EQ(rows[0].errors, 5u);
    EXPECT_EQ(rows[1].errors, 0u);
    EXPECT_EQ(rows[0].online, 19u);  // at the end of the second
    ASSERT_TRUE(rows[0].p50_ns);
    // Second 1: 1x1µs, 2x2µs, ..., 10x10µs (55 values): the 28th is 7 µs, the 55th*0.99 is 10 µs.
    EXPECT_EQ(*rows[0].p50_ns / 10, 700u);
    EXPECT_EQ(*rows[0].p99_ns / 10, 1000u);
}

TEST(hlog, a_second_without_replies_has_no_percentiles) {
    auto in = intervals(2, 1s, 1s);
    in[1].requests = 0;
    in[1].latency = histogram().snapshot();
    const auto rows = timeline_of(in, 1s);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_TRUE(rows[0].p99_ns);
    EXPECT_FALSE(rows[1].p50_ns);
    EXPECT_FALSE(rows[1].p99_ns);
    EXPECT_EQ(rows[1].throughput_rps, 0.0);
}

TEST(hlog, coarsen_adds_counts_and_latencies) {
    const auto groups = loadgen::coarsen(intervals(5, 200ms, 200ms), 2);
    ASSERT_EQ(groups.size(), 3u);
    EXPECT_EQ(groups[0].requests, 3u);
    EXPECT_EQ(groups[0].latency.count, 3u);
    EXPECT_EQ(groups[1].begin, 400ms);
    EXPECT_EQ(groups[1].errors, 5u);
    EXPECT_EQ(groups[2].length, 200ms);
    EXPECT_EQ(groups[2].open_connections, 14u);
}

}  // namespace
}  // namespace robotbench
