#pragma once
// `robotbench sweep`: every combination of backends, connection counts, payload sizes, pipeline
// depths and rates, each run against a fresh server process, repeated, summarised as medians.

#include <string>
#include <vector>

#include "run_options.hpp"
#include "run_record.hpp"

namespace robotbench {

// What a sweep was asked for. The lists are crossed; every cell runs `repeat` times.
struct sweep_options {
    run_options base;                    // the settings every cell shares (durations, csv...)
    std::string backend_list = "all";    // --backends
    std::vector<unsigned> connections{1, 10, 100, 1000};
    std::vector<std::size_t> sizes{64};
    std::vector<unsigned> pipelines{1};
    std::vector<double> rates{0};
    unsigned repeat = 3;
    std::string report_dir;              // --report: charts and REPORT.md go here
};

// One combination of the sweep's lists.
struct sweep_cell {
    std::string backend;
    unsigned connections = 0;
    std::size_t size = 0;
    unsigned pipeline = 0;
    double rate = 0;
};

// Every cell, backends outermost, in the order they run. Pure.
std::vector<sweep_cell> sweep_cells(const sweep_options& options,
                                    const std::vector<std::string>& backends);

// Where a sweep's --report puts the latency distribution of a cell's run `repeat` (counted from
// 1, as `run --repeat` and --hlog count): `DIR/hgrm/thread-c100-s64-P1-1.hgrm`, with `-R5000`
// after `P1` for a rate. Pure.
std::string sweep_hgrm_path(const std::string& report_dir, const sweep_cell& cell,
                            unsigned repeat);

// Why a cell's run cannot be served (the backend's capacity with the run's server settings, the
// generator's descriptor limit), or empty when it can. `fd_limit` is the generator's hard
// descriptor limit. Pure.
std::string skip_reason(const run_options& cell_run, std::size_t fd_limit);

// `[3/16] thread c=100 size=64 P=1  elapsed 0:42  ETA 1:10`. Pure.
std::string progress_text(std::size_t done, std::size_t total, const sweep_cell& cell,
                          double elapsed_s, double eta_s);

// The closing table: per cell, runs, median and min–max of throughput and p99, status. Pure.
std::string sweep_summary(const std::vector<run_record>& runs);

// Runs the sweep; returns the exit status (0 clean, 1 a run failed, 2 bad settings).
int sweep_command(sweep_options options);

}  // namespace robotbench
