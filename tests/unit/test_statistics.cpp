// The statistics of repeated runs against values worked out by hand: the median, its exact
// order-statistic interval and that interval's coverage, and the bootstrap interval of a ratio
// of medians.

#include <gtest/gtest.h>

#include "harness/statistics.hpp"
#include "harness/units.hpp"

namespace robotbench {
namespace {

TEST(statistics, median_of_odd_and_even_counts) {
    EXPECT_EQ(stats::median({3, 1, 2}), 2);
    EXPECT_EQ(stats::median({4, 1, 3, 2}), 2.5);
    EXPECT_EQ(stats::median({7}), 7);
    EXPECT_THROW(stats::median({}), std::invalid_argument);
}

TEST(statistics, spread_is_the_range_over_the_median) {
    EXPECT_DOUBLE_EQ(stats::spread_percent({90, 100, 110}), 20.0);
    EXPECT_EQ(stats::spread_percent({100}), 0.0);
    EXPECT_EQ(stats::spread_percent({0, 0, 0}), 0.0);
}

TEST(statistics, binomial_with_half_probability) {
    EXPECT_DOUBLE_EQ(stats::binomial_half_cdf(0, 3), 1.0 / 8);
    EXPECT_DOUBLE_EQ(stats::binomial_half_cdf(1, 3), 4.0 / 8);
    EXPECT_DOUBLE_EQ(stats::binomial_half_cdf(1, 10), 11.0 / 1024);
    EXPECT_DOUBLE_EQ(stats::binomial_half_cdf(5, 20), 21700.0 / 1048576);
    EXPECT_DOUBLE_EQ(stats::binomial_half_cdf(3, 3), 1.0);
}

TEST(statistics, three_runs_give_min_to_max_at_75_percent) {
    const auto m = stats::median_ci({105, 95, 100});
    EXPECT_EQ(m.median, 100);
    EXPECT_EQ(m.low, 95);
    EXPECT_EQ(m.high, 105);
    EXPECT_DOUBLE_EQ(m.confidence, 0.75);  // 1 − 2·(1/2)^3
    EXPECT_EQ(m.runs, 3u);
}

TEST(statistics, six_runs_are_the_fewest_with_a_95_percent_interval) {
    EXPECT_EQ(stats::runs_for(0.95), 6u);
    EXPECT_LT(stats::median_ci({1, 2, 3, 4, 5}).confidence, 0.95);  // 1 − 2/32 = 0.9375
    const auto m = stats::median_ci({6, 1, 5, 2, 4, 3});
    EXPECT_EQ(m.median, 3.5);
    EXPECT_EQ(m.low, 1);
    EXPECT_EQ(m.high, 6);
    EXPECT_DOUBLE_EQ(m.confidence, 1.0 - 2.0 / 64);
}

TEST(statistics, more_runs_narrow_the_interval_to_inner_order_statistics) {
    std::vector<double> ten{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    const auto m10 = stats::median_ci(ten);
    EXPECT_EQ(m10.low, 2);  // x(2): k = 2 covers 1 − 2·11/1024 = 97.9%; k = 3 only 89.1%
    EXPECT_EQ(m10.high, 9);
    EXPECT_DOUBLE_EQ(m10.confidence, 1.0 - 22.0 / 1024);
    std::vector<double> twenty;
    for (int i = 1; i <= 20; ++i) twenty.push_back(i);
    const auto m20 = stats::median_ci(twenty);
    EXPECT_EQ(m20.low, 6);  // k = 6: 1 − 2·21700/2^20 = 95.9%
    EXPECT_EQ(m20.high, 15);
    EXPECT_NEAR(m20.confidence, 0.958610534668, 1e-12);
}

TEST(statistics, one_run_has_no_interval_worth_the_name) {
    const auto m = stats::median_ci({42});
    EXPECT_EQ(m.low, 42);
    EXPECT_EQ(m.high, 42);
    EXPECT_EQ(m.confidence, 0.0);
}

TEST(statistics, three_against_three_without_overlap_excludes_one) {
    // Each side's resampled median is its min, middle or max with chance 7/27, 13/27, 7/27, so
    // the 2.5% tails of the ratio are its extreme values: min(B)/max(A) and max(B)/min(A).
    const auto r = stats::bootstrap_median_ratio({100, 101, 102}, {70, 71, 72});
    EXPECT_DOUBLE_EQ(r.ratio, 71.0 / 101);
    EXPECT_DOUBLE_EQ(r.low, 70.0 / 102);
    EXPECT_DOUBLE_EQ(r.high, 72.0 / 100);
    EXPECT_TRUE(r.excludes_one());
    EXPECT_EQ(r.resamples, stats::default_resamples);
}

TEST(statistics, overlapping_ranges_hold_one) {
    const auto r = stats::bootstrap_median_ratio({100, 101, 102}, {99, 100.5, 103});
    EXPECT_FALSE(r.excludes_one());
    EXPECT_LE(r.low, 1.0);
    EXPECT_GE(r.high, 1.0);
}

TEST(statistics, the_bootstrap_is_the_same_on_every_call) {
    const std::vector<double> a{10, 12, 11, 13, 9, 10.5}, b{12, 14, 13, 12.5, 15, 11};
    const auto first = stats::bootstrap_median_ratio(a, b);
    const auto second = stats::bootstrap_median_ratio(a, b);
    EXPECT_EQ(first.low, second.low);
    EXPECT_EQ(first.high, second.high);
    EXPECT_LT(first.low, first.ratio);
    EXPECT_GT(first.high, first.ratio);
}

TEST(units, a_median_with_its_deviation_on_one_scale) {
    EXPECT_EQ(format_plus_minus(169'234, 2'100), "169.2k ± 2.1k");
    EXPECT_EQ(format_plus_minus(500, 3), "500 ± 3");
    EXPECT_EQ(format_plus_minus(1'500'000, 20'000), "1.50M ± 0.02M");
    EXPECT_EQ(format_latency_plus_minus(45'100, 2'000), "45.1 µs ± 2.00 µs");
}

}  // namespace
}  // namespace robotbench
