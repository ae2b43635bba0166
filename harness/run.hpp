#pragma once
// The benchmark run: `robotbench run` (the default command) starts each backend's server as a
// child process and measures it; `robotbench load` measures a server that is already running.
// Both print the report, append the CSV row, and write the JSON and .hgrm files asked for.

#include <string>

#include "environment.hpp"
#include "loadgen/histogram.hpp"
#include "rank_group.hpp"
#include "run_options.hpp"
#include "run_record.hpp"
#include "status_line.hpp"

namespace robotbench {

// The percentiles of a histogram, in ns.
latency_summary summarize(const loadgen::histogram& h);

// Starts `backend`'s server, runs the scenario against it (and the presence check), stops it,
// and returns what was found; failures are in the record, never thrown. `hgrm_path`, when not
// empty, receives the latency distribution. Throws usage_error when the load
// generator refuses the settings. Call from the main thread. With a `group` (under mpirun) every
// rank calls it: rank 0 starts the server and tells the others its address, each rank drives its
// share of the load, and rank 0's record holds the merged results.
run_record run_backend(const std::string& backend, const run_options& options,
                       const std::string& hgrm_path, const environment& env, status_line& status,
                       rank_group* group = nullptr);

// The same against options.target, a server this process did not start (its cost is n/a).
run_record run_target(const run_options& options, const environment& env, status_line& status,
                      rank_group* group = nullptr);

// `robotbench run`: every backend in options.backend_list in turn. Returns the exit status:
// 0 clean, 1 errors, presence failures or a server problem, 2 impossible settings. With a
// `group`, every rank calls it and rank 0 alone prints the report and writes the files.
int run_command(run_options options, rank_group* group = nullptr);

// `robotbench load --target HOST:PORT`. Same exit statuses.
int load_command(run_options options, rank_group* group = nullptr);

}  // namespace robotbench
