#pragma once
// Results over time: one row per second of the measured window (throughput, p50, p99, errors,
// connections), for the JSON `timeline` and `--timeline FILE`.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loadgen/load.hpp"

namespace robotbench {

// One second of the measured window.
struct timeline_row {
    unsigned second = 0;                  // from 1, the first second of the measured window
    std::uint64_t requests = 0;           // replies validated in it
    double throughput_rps = 0;            // requests / its true length (the last may be shorter)
    std::optional<std::uint64_t> p50_ns;  // of its own latencies; none without replies
    std::optional<std::uint64_t> p99_ns;
    std::uint64_t errors = 0;             // errors counted in it
    std::optional<std::uint64_t> online;  // connections the generator held open at its end
};

// The seconds of a run whose intervals are each `interval` long (a whole fraction of a second,
// or a second). Pure.
std::vector<timeline_row> timeline_of(const std::vector<loadgen::interval_result>& intervals,
                                      std::chrono::nanoseconds interval);

struct run_record;

// The header of --timeline FILE.
std::string timeline_csv_header();
// The CSV rows of the runs' timelines, one per run per second, header first. Pure.
std::string timeline_csv(std::span<const run_record> runs);

}  // namespace robotbench
