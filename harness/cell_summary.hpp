#pragma once
// The repeats of each cell summarised: for throughput and each latency percentile the median and
// its confidence interval (statistics.hpp), the spread of the repeats, and whether that spread
// makes the cell noisy. The closing tables, the summary CSV and the JSON's `summary` are written
// from this.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cell_key.hpp"
#include "run_options.hpp"
#include "run_record.hpp"
#include "statistics.hpp"

namespace robotbench {

// A cell whose throughput repeats spread more than this ((max − min) / median, percent) is
// flagged noisy.
inline constexpr double noisy_spread_percent = 10.0;

// A figure summarised over a cell's runs: its CSV column, and its value in a measured run.
struct summary_metric {
    std::string_view column;
    double (*value)(const run_record&);
};

// throughput_rps, latency_p50_us, latency_p90_us, latency_p99_us, latency_p999_us,
// latency_p9999_us, in that order.
std::span<const summary_metric> summary_metrics();

// True for a run whose figures count in its cell's statistics: a load ran to the end of its
// window and answered requests (skipped, failed-to-start and interrupted runs do not count).
bool counts_in_statistics(const run_record& run);

// One cell's repeats.
struct cell_summary {
    cell_key key;
    std::string target;        // HOST:PORT of an outside target; empty for a backend
    std::size_t runs = 0;      // every run of the cell
    std::size_t measured = 0;  // the runs that count (counts_in_statistics)
    std::string statuses;      // the distinct statuses of its runs: `ok`, `ok, errors`
    std::string skipped;       // why the cell was skipped, when it was
    // One per summary_metrics() entry; empty when no run counts.
    std::vector<std::optional<stats::median_interval>> metrics;
    double throughput_spread_pct = 0;  // (max − min) / median of the throughput, percent

    bool noisy() const { return throughput_spread_pct > noisy_spread_percent; }
    // The interval of one summary metric by its column name; nullopt when no run counts.
    std::optional<stats::median_interval> metric(std::string_view column) const;
    std::optional<stats::median_interval> throughput() const { return metric("throughput_rps"); }
};

// Every cell of `runs`, in the order the cells first appear. Pure.
std::vector<cell_summary> summarize_cells(std::span<const run_record> runs);

// The repeat rule of run and sweep: true while a cell needs another run. It runs at least
// `repeat` times; with options.until_ci_pct it goes on until the throughput median's 95% interval
// is narrower than that percent of the median (which takes at least stats::runs_for() measured
// runs), or options.max_repeat runs. `cell_runs` are the cell's runs so far. Pure.
bool wants_another_run(unsigned repeat, const run_options& options,
                       std::span<const run_record> cell_runs);

// The most runs a cell may get under that rule. Pure.
unsigned planned_runs(unsigned repeat, const run_options& options);

// Width of an interval as a percent of its median (0 for a median that is not above 0). Pure.
double width_percent(const stats::median_interval& m);

}  // namespace robotbench
