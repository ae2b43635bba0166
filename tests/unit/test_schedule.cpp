// The open-loop schedule: send times fixed in advance, the rate split evenly over connections with
// the whole stream evenly spaced, threads walking their share in time order, and lag measured.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <vector>

#include "loadgen/schedule.hpp"

namespace robotbench::loadgen {
namespace {

TEST(schedule, send_times_are_fixed_and_staggered) {
    const open_schedule s(1000, 4, 5'000);  // 1000/s over 4 connections from t = 5 µs
    EXPECT_DOUBLE_EQ(s.lane_rate(), 250.0);
    EXPECT_EQ(s.due(0, 0), 5'000);
    EXPECT_EQ(s.due(1, 0), 5'000 + 1'000'000);
    EXPECT_EQ(s.due(3, 0), 5'000 + 3'000'000);
    EXPECT_EQ(s.due(0, 1), 5'000 + 4'000'000);
    EXPECT_EQ(s.due(2, 10), 5'000 + 42'000'000);
}

TEST(schedule, n_slots_from_a_time_are_exactly_the_sends_due_before_their_end) {
    // -n in open loop: the window's sends are slots [first, first + n), due in
    // [t, slot_due(first + n)); no slot due in that span is left out, none outside is taken.
    for (const double rate : {1000.0, 3000.0, 7777.0, 123'456.0}) {
        const open_schedule s(rate, 7, 5'000);
        for (const std::int64_t t : {std::int64_t{0}, std::int64_t{5'000}, std::int64_t{1'000'000},
                                     std::int64_t{1'234'567}, std::int64_t{200'000'001}}) {
            const auto first = s.first_slot_from(t);
            EXPECT_GE(s.slot_due(first), t) << rate << " " << t;
            if (first > 0) {
                EXPECT_LT(s.slot_due(first - 1), t) << rate << " " << t;
            }
            const std::uint64_t n = 1000;
            const auto end = s.slot_due(first + n);
            std::uint64_t in_window = 0;
            for (unsigned lane = 0; lane < 7; ++lane)
                for (std::uint64_t k = 0; s.due(lane, k) < end; ++k)
                    in_window += s.due(lane, k) >= t;
            EXPECT_EQ(in_window, n) << rate << " " << t;
        }
    }
}

TEST(schedule, the_whole_stream_is_evenly_spaced) {
    const open_schedule s(3000, 7, 0);
    std::vector<std::int64_t> times;
    for (unsigned lane = 0; lane < 7; ++lane)
        for (std::uint64_t k = 0; k < 300; ++k) times.push_back(s.due(lane, k));
    std::sort(times.begin(), times.end());
    for (std::size_t i = 1; i < times.size(); ++i) {
        const std::int64_t gap = times[i] - times[i - 1];
        EXPECT_GE(gap, 333'333);
        EXPECT_LE(gap, 333'334);
    }
}

TEST(schedule, the_rate_is_split_evenly_over_connections) {
    const open_schedule s(10'000, 3, 0);
    const std::int64_t one_second = 1'000'000'000;
    for (unsigned lane = 0; lane < 3; ++lane) {
        std::uint64_t in_first_second = 0;
        while (s.due(lane, in_first_second) < one_second) ++in_first_second;
        EXPECT_NEAR(double(in_first_second), 10'000.0 / 3, 1.0) << "lane " << lane;
    }
}

TEST(schedule, does_not_drift_over_long_runs) {
    const open_schedule s(7, 1, 0);                         // a period of 142857142.857... ns
    EXPECT_EQ(s.due(0, 7'000'000), 1'000'000'000'000'000);  // 7 million sends: 1 million s
}

TEST(schedule, a_rate_that_is_not_positive_is_refused) {
    EXPECT_THROW(open_schedule(0, 1, 0), std::invalid_argument);
    EXPECT_THROW(open_schedule(-5, 1, 0), std::invalid_argument);
    EXPECT_THROW(open_schedule(100, 0, 0), std::invalid_argument);
}

TEST(schedule, a_thread_walks_its_connections_in_time_order) {
    // 4 connections over 2 threads: thread 1 owns connections 1 and 3.
    const open_schedule s(400, 4, 0);
    schedule_cursor cursor(s, {1, 3});
    std::int64_t last = -1;
    std::map<std::size_t, std::uint64_t> per_index;
    for (int i = 0; i < 100; ++i) {
        const std::size_t index = cursor.next_index();
        EXPECT_EQ(cursor.next_due(), s.due(index == 0 ? 1 : 3, cursor.next_k()));
        EXPECT_GT(cursor.next_due(), last);
        last = cursor.next_due();
        ++per_index[index];
        cursor.advance();
    }
    EXPECT_EQ(per_index[0], 50u);
    EXPECT_EQ(per_index[1], 50u);
    // The two threads together cover every send of the schedule exactly once.
    schedule_cursor other(s, {0, 2});
    std::vector<std::int64_t> all;
    schedule_cursor mine(s, {1, 3});
    for (int i = 0; i < 50; ++i) {
        all.push_back(other.next_due()), other.advance();
        all.push_back(mine.next_due()), mine.advance();
    }
    std::sort(all.begin(), all.end());
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], std::int64_t(i) * 2'500'000);
}

TEST(schedule, lag_is_the_worst_delay_behind_the_schedule) {
    lag_tracker lag;
    EXPECT_EQ(lag.max_ns(), 0);
    lag.on_send(1'000, 1'000);  // on time
    lag.on_send(2'000, 1'900);  // early (cannot happen, but never negative)
    EXPECT_EQ(lag.max_ns(), 0);
    lag.on_send(3'000, 53'000);  // 50 µs late
    lag.on_send(4'000, 14'000);  // 10 µs late
    EXPECT_EQ(lag.max_ns(), 50'000);
}

}  // namespace
}  // namespace robotbench::loadgen
