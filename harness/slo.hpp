#pragma once
// `robotbench slo --p99 1ms`: for each backend (or one outside target), the highest open-loop rate
// at which a latency percentile stays under its target. The search starts from the closed-loop
// throughput (rate_search.hpp); every step runs the load `repeat` times on a fresh server, counts
// errors and checks presence, and passes when no run failed and the median of the percentile
// over the runs is at most the target.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cell_summary.hpp"
#include "rate_search.hpp"
#include "run_options.hpp"
#include "run_record.hpp"
#include "statistics.hpp"

namespace robotbench {

// The latency percentiles a target may be set on (from the intended send time, as open loop
// measures them).
enum class slo_percentile { p50, p99, p999 };

// `p50`, `p99`, `p99.9`. Pure.
std::string_view percentile_label(slo_percentile p);
// The run CSV's column of that percentile: latency_p99_us, ...
std::string_view percentile_column(slo_percentile p);
// Its value in a run, ns.
std::uint64_t percentile_ns(const run_record& run, slo_percentile p);

// What `robotbench slo` was asked.
struct slo_options {
    run_options base;  // backends or target, the load (-c, -d, --warmup, --size...), --repeat
    std::optional<slo_percentile> percentile;   // which of --p50, --p99, --p999
    std::chrono::nanoseconds target{};          // its value
    rate_search_settings search{0, 5, 12, 10};  // start 0: the closed-loop throughput
    std::string out_dir = "results/slo";        // steps.csv, runs.csv, slo.json, slo.png
    bool chart = true;
};

// One rate tried: its runs summarised.
struct slo_step {
    unsigned index = 0;  // 1, 2, ...
    double rate = 0;     // offered, req/s
    std::size_t runs = 0;
    std::optional<stats::median_interval> percentile_us;  // over the runs that measured
    std::optional<double> throughput;                     // median achieved, req/s
    std::uint64_t errors = 0;                             // all kinds, every run
    std::string presence = "off";                         // the step's presence check
    bool generator_bound = false;                         // a run warned of it
    bool passed = false;
    std::string note;  // why it failed, besides the percentile
};

// One backend's (or the target's) search.
struct slo_result {
    std::string backend;  // empty for --target
    std::string target;   // HOST:PORT of the last server
    std::optional<double> closed_loop_rps;
    std::vector<slo_step> steps;  // in the order tried
    std::optional<double> sustainable;
    std::optional<double> breaking;
    std::string stop_reason;
    std::vector<std::string> problems;  // the search could not run (server did not start, ...)
    bool interrupted = false;

    // The step at the sustainable rate, if any.
    const slo_step* sustainable_step() const;
};

// Runs the searches; returns the exit status: 0 every search ran, 1 one could not (or a file or
// the chart could not be written), 2 bad usage, 130 interrupted.
int slo_command(slo_options options);

}  // namespace robotbench
