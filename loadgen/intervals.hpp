#pragma once
// Merging the generator threads' per-interval records into the run's intervals.

#include <cstdint>
#include <memory>
#include <vector>

#include "load.hpp"
#include "worker.hpp"

namespace robotbench::loadgen {

// The intervals of workers [first, last), added up index by index. Interval k is due from
// k * interval after the window's start (thread_stats::window_start_ns) for `interval`; its
// length is the part of that the window covered, from window_open to window_close. The calling
// thread, after the workers joined.
std::vector<interval_result> merge_intervals(const std::vector<std::unique_ptr<worker>>& workers,
                                             std::size_t first, std::size_t last,
                                             std::int64_t window_open, std::int64_t window_close,
                                             std::chrono::nanoseconds interval);

}  // namespace robotbench::loadgen

namespace robotbench::loadgen {

// Every `per_group` consecutive intervals made into one (the last group may have fewer): counts
// and latencies added, lengths summed. Pure.
std::vector<interval_result> coarsen(const std::vector<interval_result>& intervals,
                                     std::size_t per_group);

// Adds `from`'s requests, errors and open connections into `into`, index by index (latencies
// are left alone). Pure.
void add_counts(std::vector<interval_result>& into, const std::vector<interval_result>& from);

}  // namespace robotbench::loadgen
