// The run's intervals from the threads' own.

#include "intervals.hpp"

#include <algorithm>

namespace robotbench::loadgen {

std::vector<interval_result> merge_intervals(const std::vector<std::unique_ptr<worker>>& workers,
                                             std::size_t first, std::size_t last,
                                             std::int64_t window_open, std::int64_t window_close,
                                             std::chrono::nanoseconds interval) {
    std::size_t n = 0;
    std::int64_t start = window_open;
    for (std::size_t w = first; w < last; ++w) {
        n = std::max(n, workers[w]->stats().intervals.size());
        start = std::min(start, workers[w]->stats().window_start_ns);
    }
    std::vector<interval_result> out(n);
    histogram merged;
    for (std::size_t k = 0; k < n; ++k) {
        interval_result& r = out[k];
        const std::int64_t begin = std::int64_t(k) * interval.count();
        r.begin = std::chrono::nanoseconds(begin);
        const std::int64_t from = std::max(start + begin, window_open);
        const std::int64_t to = std::min(start + begin + interval.count(), window_close);
        r.length = std::chrono::nanoseconds(std::max<std::int64_t>(0, to - from));
        merged.reset();
        for (std::size_t w = first; w < last; ++w) {
            const auto& mine = workers[w]->stats().intervals;
            if (k >= mine.size()) continue;
            r.requests += mine[k].requests;
            r.errors += mine[k].errors;
            r.open_connections += mine[k].open_connections;
            merged.merge(mine[k].latency);
        }
        r.latency = merged.snapshot();
    }
    return out;
}

}  // namespace robotbench::loadgen

namespace robotbench::loadgen {

std::vector<interval_result> coarsen(const std::vector<interval_result>& intervals,
                                     std::size_t per_group) {
    if (per_group <= 1) return intervals;
    std::vector<interval_result> out;
    histogram merged;
    for (std::size_t first = 0; first < intervals.size(); first += per_group) {
        interval_result g;
        g.begin = intervals[first].begin;
        merged.reset();
        const std::size_t last = std::min(intervals.size(), first + per_group);
        for (std::size_t k = first; k < last; ++k) {
            g.length += intervals[k].length;
            g.requests += intervals[k].requests;
            g.errors += intervals[k].errors;
            merged.merge(intervals[k].latency);
        }
        g.open_connections = intervals[last - 1].open_connections;
        g.latency = merged.snapshot();
        out.push_back(std::move(g));
    }
    return out;
}

void add_counts(std::vector<interval_result>& into, const std::vector<interval_result>& from) {
    if (from.size() > into.size()) into.resize(from.size());
    for (std::size_t k = 0; k < from.size(); ++k) {
        into[k].requests += from[k].requests;
        into[k].errors += from[k].errors;
        into[k].open_connections += from[k].open_connections;
        if (into[k].length == std::chrono::nanoseconds{}) {
            into[k].begin = from[k].begin;
            into[k].length = from[k].length;
        }
    }
}

}  // namespace robotbench::loadgen
