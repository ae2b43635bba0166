#pragma once
// The report for people: one block per run, and a comparison table when several backends ran.
// Every number carries its unit.

#include <span>
#include <string>

#include "run_record.hpp"

namespace robotbench {

// One line saying what ran: backend or target, scenario, connections, threads, pipeline, loop
// kind, payload size and durations. Pure.
std::string run_heading(const run_record& run);

// `wrong 2, missing 1`: the error kinds that occurred, with their counts. Pure.
std::string error_kinds(const loadgen::error_counts& errors);

// The full report of one run (heading, latency table, costs, presence, the verdict and any
// warnings), ending with a line end. Pure.
std::string run_report(const run_record& run);

// -q: `thread: 95,533 req/s, p50 495 µs, p99 2.32 ms, 0 errors`, one line. Pure.
std::string quiet_line(const run_record& run);

// One row per run: status, throughput, p50/p99/p99.9/max latency, errors, server CPU per request,
// peak memory and presence. Pure.
std::string comparison_table(std::span<const run_record> runs);

}  // namespace robotbench
