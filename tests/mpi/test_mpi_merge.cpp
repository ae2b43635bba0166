// The exact merge across ranks, on known data: run as `mpirun -np 3` (tests/CMakeLists.txt).

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "harness/mpi/mpi_group.hpp"
#include "harness/mpi/mpi_histogram.hpp"
#include "harness/mpi/mpi_intervals.hpp"
#include "loadgen/histogram.hpp"

namespace {

using robotbench::loadgen::histogram;

// A spread of latencies from 0 ns to beyond the histogram's top, every bucket size touched.
std::vector<std::uint64_t> all_values() {
    std::vector<std::uint64_t> v;
    std::uint64_t x = 12345;
    for (int i = 0; i < 30000; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const int shift = static_cast<int>((x >> 58) % 37);  // 1 ns .. ~137 s
        v.push_back((x >> 20) & ((std::uint64_t{1} << shift) - 1));
    }
    return v;
}

int rank_of() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int size_of() {
    int n = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

TEST(mpi_merge, the_reduced_histogram_is_the_one_that_recorded_every_rank_s_values) {
    ASSERT_GE(size_of(), 2) << "run under mpirun -np 2 or more";
    const auto values = all_values();
    // Each rank records its own slice of very different sizes: rank r takes the values i with
    // i % (r + 2) == 0 that no lower rank took.
    histogram mine, everything;
    for (std::size_t i = 0; i < values.size(); ++i) {
        int owner = size_of() - 1;
        for (int r = 0; r < size_of(); ++r)
            if (i % static_cast<std::size_t>(r + 2) == 0) {
                owner = r;
                break;
            }
        if (owner == rank_of()) mine.record(values[i]);
        everything.record(values[i]);
    }
    ASSERT_LT(mine.count(), everything.count());
    robotbench::mpi::reduce_histogram(mine, 0, MPI_COMM_WORLD);
    if (rank_of() != 0) return;
    const auto merged = mine.counts(), expected = everything.counts();
    ASSERT_EQ(merged.size(), expected.size());
    for (std::size_t i = 0; i < merged.size(); ++i) ASSERT_EQ(merged[i], expected[i]) << i;
    EXPECT_EQ(mine.count(), everything.count());
    EXPECT_EQ(mine.clamped(), everything.clamped());
    EXPECT_EQ(mine.min(), everything.min());
    EXPECT_EQ(mine.max(), everything.max());
    EXPECT_DOUBLE_EQ(mine.mean(), everything.mean());
    for (const double p : {0.0, 1.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0})
        EXPECT_EQ(mine.value_at_percentile(p), everything.value_at_percentile(p)) << p;
}

TEST(mpi_merge, an_empty_rank_changes_nothing) {
    histogram h;
    if (rank_of() == 1) h.record(5'000);
    robotbench::mpi::reduce_histogram(h, 0, MPI_COMM_WORLD);
    if (rank_of() != 0) return;
    EXPECT_EQ(h.count(), 1u);
    EXPECT_EQ(h.min(), 5'000u);
    EXPECT_EQ(h.max(), 5'000u);
}

TEST(mpi_merge, a_load_result_sums_counts_and_errors_by_kind_and_takes_the_longest_window) {
    robotbench::mpi::world_group group;
    const int r = rank_of(), n = size_of();
    robotbench::loadgen::load_result result;
    result.requests = 1000u * static_cast<std::uint64_t>(r + 1);
    result.unanswered = 1;
    result.errors.wrong = static_cast<std::uint64_t>(r);
    result.errors.timeout = 2;
    result.generator_cpu.user_s = 0.5;
    result.measured = std::chrono::milliseconds(1000 + r);
    result.latency.record(10'000u * static_cast<std::uint64_t>(r + 1));
    group.merge(result);
    if (r != 0) return;
    EXPECT_EQ(result.requests, 1000u * static_cast<std::uint64_t>(n * (n + 1) / 2));
    EXPECT_EQ(result.unanswered, static_cast<std::uint64_t>(n));
    EXPECT_EQ(result.errors.wrong, static_cast<std::uint64_t>(n * (n - 1) / 2));
    EXPECT_EQ(result.errors.timeout, 2u * static_cast<std::uint64_t>(n));
    EXPECT_DOUBLE_EQ(result.generator_cpu.user_s, 0.5 * n);
    EXPECT_EQ(result.measured, std::chrono::milliseconds(1000 + n - 1));
    EXPECT_EQ(result.latency.count(), static_cast<std::uint64_t>(n));
    EXPECT_EQ(result.latency.max(), 10'000u * static_cast<std::uint64_t>(n));
}

TEST(mpi_merge, intervals_are_merged_index_by_index_with_the_shorter_ranks_padded) {
    // Rank r holds 2 intervals when r is odd, else 3 (its window closed one interval earlier on
    // its clock); interval k of rank r: requests 10 * (r + 1) + k, one error, r + 1 connections
    // open, latencies of (r + 1) * 1000 + k µs recorded k + 1 times.
    using robotbench::loadgen::interval_result;
    const int r = rank_of(), n = size_of();
    ASSERT_GE(n, 2) << "run under mpirun -np 2 or more";
    const std::size_t mine = r % 2 == 1 ? 2 : 3;
    std::vector<interval_result> intervals(mine);
    histogram everything[3];
    for (int rank = 0; rank < n; ++rank)
        for (std::size_t k = 0; k < (rank % 2 == 1 ? 2u : 3u); ++k) {
            histogram h;
            h.record(std::uint64_t(rank + 1) * 1'000'000 + k * 1000, k + 1);
            everything[k].merge(h);
            if (rank != r) continue;
            auto& i = intervals[k];
            i.begin = std::chrono::seconds(k);
            i.length = k + 1 == mine ? std::chrono::milliseconds(400 + rank) : std::chrono::seconds(1);
            i.requests = 10u * std::uint64_t(rank + 1) + k;
            i.errors = 1;
            i.open_connections = std::uint64_t(rank + 1);
            i.latency = h.snapshot();
        }
    robotbench::mpi::reduce_intervals(intervals, 0, MPI_COMM_WORLD);
    ASSERT_EQ(intervals.size(), 3u) << "every rank pads to the longest count";
    if (r != 0) return;
    for (std::size_t k = 0; k < 3; ++k) {
        std::uint64_t requests = 0, errors = 0, open = 0;
        for (int rank = 0; rank < n; ++rank) {
            if (k == 2 && rank % 2 == 1) continue;
            requests += 10u * std::uint64_t(rank + 1) + k;
            errors += 1;
            open += std::uint64_t(rank + 1);
        }
        EXPECT_EQ(intervals[k].requests, requests) << k;
        EXPECT_EQ(intervals[k].errors, errors) << k;
        EXPECT_EQ(intervals[k].open_connections, open) << k;
        EXPECT_EQ(intervals[k].begin, std::chrono::seconds(k)) << k;
        const auto expected = everything[k].snapshot();
        EXPECT_EQ(intervals[k].latency.counts, expected.counts) << k;
        EXPECT_EQ(intervals[k].latency.count, expected.count) << k;
        EXPECT_EQ(intervals[k].latency.min, expected.min) << k;
        EXPECT_EQ(intervals[k].latency.max, expected.max) << k;
    }
    // The longest of the ranks' lengths: their last intervals were 400 + rank ms.
    EXPECT_EQ(intervals[0].length, std::chrono::seconds(1));
    EXPECT_EQ(intervals[2].length, std::chrono::milliseconds(400 + (n - 1) / 2 * 2));
}

TEST(mpi_merge, every_rank_learns_which_rank_failed_and_why) {
    robotbench::mpi::world_group group;
    EXPECT_TRUE(group.failures("").empty());
    const auto failed = group.failures(rank_of() == 1 ? "cannot connect" : "");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0].rfind("rank 1 (", 0), 0u) << failed[0];
    EXPECT_NE(failed[0].find("): cannot connect"), std::string::npos) << failed[0];
    EXPECT_EQ(group.sum(2), 2 * size_of());
    EXPECT_EQ(group.broadcast(rank_of() == 0 ? std::string("127.0.0.1:9") : std::string()),
              "127.0.0.1:9");
    EXPECT_EQ(group.hosts().size(), static_cast<std::size_t>(size_of()));
}

}  // namespace
