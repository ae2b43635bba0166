// The per-second rows and their CSV.

#include "timeline.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "loadgen/intervals.hpp"
#include "run_record.hpp"

namespace robotbench {

std::vector<timeline_row> timeline_of(const std::vector<loadgen::interval_result>& intervals,
                                      std::chrono::nanoseconds interval) {
    const auto per_second = static_cast<std::size_t>(
        std::max<std::int64_t>(1, std::chrono::nanoseconds(std::chrono::seconds(1)) / interval));
    std::vector<timeline_row> rows;
    loadgen::histogram h;
    for (const auto& s : loadgen::coarsen(intervals, per_second)) {
        timeline_row row;
        row.second = static_cast<unsigned>(rows.size() + 1);
        row.requests = s.requests;
        const double seconds = std::chrono::duration<double>(s.length).count();
        row.throughput_rps = seconds > 0 ? double(s.requests) / seconds : 0.0;
        if (s.latency.count > 0) {
            h.reset();
            h.merge(s.latency);
            row.p50_ns = h.value_at_percentile(50);
            row.p99_ns = h.value_at_percentile(99);
        }
        row.errors = s.errors;
        row.online = s.open_connections;
        rows.push_back(row);
    }
    return rows;
}

std::string timeline_csv_header() {
    return "backend,connections,size,pipeline,rate,scenario,repeat,second,requests,"
           "throughput_rps,p50_us,p99_us,errors,online";
}

namespace {

std::string micros(const std::optional<std::uint64_t>& ns) {
    return ns ? fmt::format("{:.3f}", double(*ns) / 1000.0) : std::string();
}

}  // namespace

std::string timeline_csv(std::span<const run_record> runs) {
    std::string out = timeline_csv_header() + "\n";
    // The repeat of a run: its place among the runs of the same cell so far, from 1.
    std::vector<std::string> seen;
    for (const auto& r : runs) {
        const auto& o = r.options;
        const auto cell = fmt::format(
            "{},{},{},{},{:g},{}", r.backend.empty() ? "target" : r.backend, o.load.connections,
            o.load.size, o.load.pipeline, o.load.rate, scenario_name(o.kind));
        seen.push_back(cell);
        const auto repeat = std::count(seen.begin(), seen.end(), cell);
        for (const auto& t : r.timeline)
            out += fmt::format("{},{},{},{},{:.1f},{},{},{},{}\n", cell, repeat, t.second,
                               t.requests, t.throughput_rps, micros(t.p50_ns), micros(t.p99_ns),
                               t.errors, t.online ? fmt::format("{}", *t.online) : "");
    }
    return out;
}

}  // namespace robotbench
