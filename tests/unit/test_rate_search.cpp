// The search of `robotbench slo` against servers of known capacity: it finds the capacity within
// its resolution, doubles and halves to bracket it, and ends within its step budget.

#include <gtest/gtest.h>

#include <cmath>

#include "harness/rate_search.hpp"

namespace robotbench {
namespace {

// A server that meets the target up to `capacity` req/s, searched from `start`.
rate_search searched(double capacity, rate_search_settings s) {
    rate_search search(s);
    while (const auto rate = search.next()) search.record(*rate, *rate <= capacity);
    return search;
}

TEST(rate_search, finds_the_capacity_within_the_resolution) {
    const auto s = searched(730, {1000, 5, 12, 10});
    ASSERT_TRUE(s.sustainable());
    ASSERT_TRUE(s.breaking());
    EXPECT_LE(*s.sustainable(), 730);
    EXPECT_GT(*s.breaking(), 730);
    EXPECT_LE(*s.breaking() / *s.sustainable(), 1.05);
    EXPECT_GE(*s.sustainable(), 730 / 1.05);
    EXPECT_EQ(s.steps().front().rate, 1000);  // the start rate first
    EXPECT_LE(s.steps().size(), 12u);
    EXPECT_EQ(s.stop_reason(), "resolution 5% reached");
}

TEST(rate_search, doubles_while_every_rate_passes) {
    const auto s = searched(5000, {1000, 5, 12, 10});
    EXPECT_EQ(s.steps()[1].rate, 2000);
    EXPECT_EQ(s.steps()[2].rate, 4000);
    EXPECT_EQ(s.steps()[3].rate, 8000);
    EXPECT_LE(*s.breaking() / *s.sustainable(), 1.05);
}

TEST(rate_search, stops_when_the_step_budget_is_spent) {
    const auto s = searched(730, {1000, 1, 3, 10});
    EXPECT_EQ(s.steps().size(), 3u);
    EXPECT_EQ(s.stop_reason(), "step budget of 3 spent");
    EXPECT_FALSE(s.next());
    // 1000 failed, 500 passed, then √(500·1000) ≈ 707 passed.
    EXPECT_NEAR(*s.sustainable(), std::sqrt(500.0 * 1000), 1e-9);
    EXPECT_EQ(*s.breaking(), 1000);
}

TEST(rate_search, nothing_meets_the_target_down_to_the_minimum_rate) {
    const auto s = searched(0, {1000, 5, 100, 50});
    EXPECT_FALSE(s.sustainable());
    EXPECT_EQ(*s.breaking(), 50);
    EXPECT_EQ(s.stop_reason(), "no rate down to 50 req/s meets the target");
    EXPECT_LE(s.steps().size(), 6u);  // 1000, 500, 250, 125, 62.5, 50
}

TEST(rate_search, a_pass_above_a_failure_does_not_count) {
    rate_search s({1000, 5, 12, 10});
    s.record(1000, false);
    s.record(500, true);
    s.record(1200, true);  // noise: above a rate that failed
    EXPECT_EQ(*s.sustainable(), 500);
    EXPECT_EQ(*s.breaking(), 1000);
    EXPECT_NEAR(*s.next(), std::sqrt(500.0 * 1000), 1e-9);
}

}  // namespace
}  // namespace robotbench
