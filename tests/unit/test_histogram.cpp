// The latency histogram: its bucket layout keeps 3 significant digits, percentiles match the
// exact percentiles of known data within that precision, merging equals recording everything in
// one histogram, and the .hgrm output is HdrHistogram's percentile-distribution format.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "loadgen/histogram.hpp"

namespace robotbench::loadgen {
namespace {

// Latency-like values in ns: log-uniform from 1 µs to 10 s.
std::vector<std::uint64_t> log_uniform(std::size_t n, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> exponent(3.0, 10.0);
    std::vector<std::uint64_t> values(n);
    for (auto& v : values) v = static_cast<std::uint64_t>(std::pow(10.0, exponent(rng)));
    return values;
}

// The exact percentile: the smallest value v such that at least p% of the values are <= v.
std::uint64_t exact_percentile(std::vector<std::uint64_t> values, double p) {
    std::sort(values.begin(), values.end());
    const double rank = std::ceil(p / 100.0 * double(values.size()) - 1e-9);
    const auto index = static_cast<std::size_t>(std::max(1.0, rank)) - 1;
    return values[std::min(index, values.size() - 1)];
}

TEST(histogram, empty_reports_zeros) {
    histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
    EXPECT_EQ(h.value_at_percentile(50), 0u);
}

TEST(histogram, every_value_lands_in_a_bucket_within_three_digits) {
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::uint64_t> any(histogram::lowest, histogram::highest);
    auto check = [](std::uint64_t v) {
        const std::size_t i = histogram::index_of(v);
        ASSERT_LT(i, histogram::counts_length()) << v;
        const std::uint64_t lo = histogram::lowest_equivalent(i);
        const std::uint64_t hi = histogram::highest_equivalent(i);
        EXPECT_LE(lo, v);
        EXPECT_GE(hi, v);
        EXPECT_LE(hi - lo, v / 1000) << "bucket of " << v << " is wider than 0.1%";
    };
    for (std::uint64_t v = histogram::lowest; v < 5000; ++v) check(v);
    for (int i = 0; i < 200000; ++i) check(any(rng));
    check(histogram::highest);
}

TEST(histogram, buckets_are_contiguous) {
    const std::size_t last = histogram::index_of(histogram::highest);
    for (std::size_t i = 0; i < last; ++i) {
        ASSERT_EQ(histogram::index_of(histogram::highest_equivalent(i) + 1), i + 1) << i;
        ASSERT_EQ(histogram::index_of(histogram::lowest_equivalent(i)), i) << i;
    }
}

TEST(histogram, percentiles_match_exact_percentiles_of_known_data) {
    const auto values = log_uniform(100000, 1);
    histogram h;
    for (auto v : values) h.record(v);
    ASSERT_EQ(h.count(), values.size());
    for (double p : {0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99}) {
        const std::uint64_t exact = exact_percentile(values, p);
        const std::uint64_t got = h.value_at_percentile(p);
        EXPECT_GE(got, exact) << "p" << p;
        EXPECT_LE(got - exact, exact / 1000) << "p" << p << ": " << got << " vs " << exact;
    }
    EXPECT_EQ(h.min(), *std::min_element(values.begin(), values.end()));
    EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
    EXPECT_EQ(h.value_at_percentile(0), h.min());
    EXPECT_EQ(h.value_at_percentile(100), h.max());
    double sum = 0;
    for (auto v : values) sum += double(v);
    EXPECT_NEAR(h.mean(), sum / double(values.size()), 1e-9 * sum / double(values.size()));
}

TEST(histogram, small_counts_use_exact_ranks) {
    // 1..1000 µs once each: p50 is the 500th value, p99.9 the 999th, p100 the 1000th.
    histogram h;
    for (std::uint64_t us = 1; us <= 1000; ++us) h.record(us * 1000);
    EXPECT_NEAR(double(h.value_at_percentile(50)), 500e3, 500e3 / 1000);
    EXPECT_GE(h.value_at_percentile(50), 500'000u);
    EXPECT_NEAR(double(h.value_at_percentile(99.9)), 999e3, 999e3 / 1000);
    EXPECT_LT(h.value_at_percentile(99.9), 1'000'000u);
    EXPECT_EQ(h.value_at_percentile(100), 1'000'000u);
}

TEST(histogram, out_of_range_values_are_clamped_and_counted) {
    histogram h;
    h.record(10);                 // 10 ns, below 1 µs
    h.record(3'600'000'000'000);  // an hour, above 60 s
    h.record(5'000);
    EXPECT_EQ(h.count(), 3u);
    EXPECT_EQ(h.clamped(), 2u);
    EXPECT_EQ(h.min(), histogram::lowest);
    EXPECT_EQ(h.max(), histogram::highest);
}

TEST(histogram, merging_equals_recording_everything_in_one) {
    const auto a = log_uniform(30000, 2);
    const auto b = log_uniform(50000, 3);
    histogram ha, hb, all;
    for (auto v : a) ha.record(v), all.record(v);
    for (auto v : b) hb.record(v), all.record(v);
    histogram merged;
    merged.merge(ha);
    merged.merge(hb);
    EXPECT_EQ(merged.count(), all.count());
    EXPECT_EQ(merged.min(), all.min());
    EXPECT_EQ(merged.max(), all.max());
    EXPECT_NEAR(merged.mean(), all.mean(), all.mean() * 1e-12);
    for (double p = 0; p <= 100; p += 0.5)
        EXPECT_EQ(merged.value_at_percentile(p), all.value_at_percentile(p)) << "p" << p;
    std::ostringstream one, two;
    merged.write_hgrm(one);
    all.write_hgrm(two);
    EXPECT_EQ(one.str(), two.str());
}

TEST(histogram, reset_forgets_everything) {
    histogram h;
    for (auto v : log_uniform(1000, 4)) h.record(v);
    h.reset();
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.max(), 0u);
    h.record(2'000);
    EXPECT_EQ(h.min(), 2'000u);
    EXPECT_EQ(h.value_at_percentile(50), 2'000u);
}

// One row of the .hgrm table.
struct hgrm_row {
    double value_us;
    double percentile;
    std::uint64_t total;
};

TEST(histogram, hgrm_is_hdrhistogram_percentile_distribution) {
    // 1..10000 µs once each.
    histogram h;
    for (std::uint64_t us = 1; us <= 10000; ++us) h.record(us * 1000);
    std::ostringstream out;
    h.write_hgrm(out);
    std::istringstream in(out.str());
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    EXPECT_EQ(line, "       Value     Percentile TotalCount 1/(1-Percentile)");
    ASSERT_TRUE(std::getline(in, line));
    EXPECT_EQ(line, "");
    std::vector<hgrm_row> rows;
    std::vector<std::string> footer;
    while (std::getline(in, line)) {
        if (line.starts_with("#[")) {
            footer.push_back(line);
            continue;
        }
        std::istringstream fields(line);
        hgrm_row row{};
        ASSERT_TRUE(fields >> row.value_us >> row.percentile >> row.total) << line;
        rows.push_back(row);
    }
    ASSERT_GT(rows.size(), 20u);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        EXPECT_GE(rows[i].value_us, rows[i - 1].value_us);
        EXPECT_GE(rows[i].percentile, rows[i - 1].percentile);
        EXPECT_GE(rows[i].total, rows[i - 1].total);
    }
    EXPECT_DOUBLE_EQ(rows.front().percentile, 0.0);
    EXPECT_NEAR(rows.front().value_us, 1.0, 0.001);
    EXPECT_DOUBLE_EQ(rows.back().percentile, 1.0);
    EXPECT_DOUBLE_EQ(rows.back().value_us, 10000.0);
    EXPECT_EQ(rows.back().total, 10000u);
    // The median row: the bucket holding 5000 µs (4.096 µs wide here) and the count up to it.
    const auto median = std::find_if(rows.begin(), rows.end(),
                                     [](const hgrm_row& r) { return r.percentile == 0.5; });
    ASSERT_NE(median, rows.end());
    EXPECT_NEAR(median->value_us, 5000.0, 5.0);
    EXPECT_GE(median->total, 5000u);
    EXPECT_LE(median->total, 5004u);
    // HdrHistogram's iterator steps 10% to 50%, 5% to 75%, 2.5% to 87.5%, 1.25% to 93.75%...
    for (double p : {0.1, 0.75, 0.775, 0.9, 0.9375}) {
        EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [p](const hgrm_row& r) {
            return std::fabs(r.percentile - p) < 1e-9;
        })) << p;
    }
    ASSERT_EQ(footer.size(), 3u);
    EXPECT_EQ(footer[0].substr(0, 29), "#[Mean    =     5000.500, Std");
    EXPECT_EQ(footer[1], "#[Max     =    10000.000, Total count    =        10000]");
    EXPECT_EQ(footer[2], "#[Buckets =           26, SubBuckets     =         2048]");
}

TEST(histogram, hgrm_of_an_empty_histogram_has_header_and_footer) {
    histogram h;
    std::ostringstream out;
    h.write_hgrm(out);
    EXPECT_TRUE(out.str().starts_with("       Value     Percentile"));
    EXPECT_NE(out.str().find("Total count    =            0]"), std::string::npos);
}

}  // namespace
}  // namespace robotbench::loadgen
