#pragma once
// `robotbench compare A B`: two result files matched cell by cell; for each cell and metric both
// medians, their ratio B/A with a bootstrap interval, whether the change is significant (the
// interval excludes 1) and whether it is a regression past the threshold. docs/statistics.md
// says why this test. Pure.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cell_key.hpp"
#include "result_files.hpp"
#include "statistics.hpp"

namespace robotbench {

// A figure compared, and which way is better.
struct compared_metric {
    std::string_view column;  // throughput_rps, latency_p99_us, ...
    std::string_view label;   // throughput, p99, ...
    bool higher_is_better;
};

// throughput, p50, p99, p99.9.
std::span<const compared_metric> compared_metrics();

// Runs each side needs before a change can be called significant: with fewer, any two ranges
// that miss each other would count.
inline constexpr std::size_t min_runs_for_significance = 3;

// What a change amounts to.
enum class change {
    too_few_runs,  // fewer than min_runs_for_significance on a side: the ratio only
    same,          // the interval of the ratio holds 1
    better,        // significant, within the threshold
    worse,         // significant, within the threshold
    improvement,   // significant, past the threshold
    regression,    // significant, past the threshold
};

// `same`, `better`, `REGRESSION`, ... as the table prints it. Pure.
std::string_view change_name(change c);

// One metric of one cell.
struct metric_comparison {
    const compared_metric* metric = nullptr;
    stats::median_interval a, b;  // each side's median and its interval
    stats::ratio_interval ratio;  // median(B) / median(A)
    change verdict = change::same;
};

// One cell found in both files.
struct cell_comparison {
    cell_key key;
    std::vector<metric_comparison> metrics;  // those both files have, in compared_metrics order
    double spread_a = 0, spread_b = 0;       // throughput spread of each side's runs, percent
};

// The whole comparison.
struct comparison {
    std::string path_a, path_b;
    double threshold_pct = 10;
    std::vector<cell_comparison> cells;  // in A's order
    std::vector<cell_key> only_a, only_b;

    std::size_t count(change c) const;
};

// Matches the runs of `a` and `b` by cell and compares every metric both have. Pure.
comparison compare_results(const result_file& a, const result_file& b, double threshold_pct);

// The verdict for a ratio interval of a metric: which way is better, and the threshold. Pure.
change judge(const stats::ratio_interval& ratio, bool higher_is_better, double threshold_pct,
             std::size_t runs_a, std::size_t runs_b);

}  // namespace robotbench
