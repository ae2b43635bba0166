#pragma once
// The files of one run besides the results tables: its name for the .hgrm and the interval log
// (per backend and per round), and writing them. Called on the main thread (rank 0's under
// mpirun, which writes every output).

#include <string>
#include <vector>

#include "loadgen/load.hpp"
#include "run_options.hpp"
#include "run_record.hpp"

namespace robotbench {

// The path of one run's file (.hgrm, interval log) named `path` for the command: the backend's
// name added when several run, the round's when repeated. Empty stays empty.
std::string per_run_path(const std::string& path, const run_options& o, std::size_t backends,
                         const std::string& backend, unsigned round);

// The .hgrm path of one run: the backend's name when several run, the round's when repeated.
std::string hgrm_path_for(const run_options& o, std::size_t backends, const std::string& backend,
                          unsigned round);

// Checks every output of the command (CSV, JSON, the summary CSV, the timeline, every run's
// .hgrm and interval log) before anything starts, for the backends `names`; prints the reason
// and returns false when one cannot be written.
bool outputs_usable(const run_options& o, const std::vector<std::string>& names);

// Writes the run's latency histogram to `path` (none when empty); a failure is a problem of
// the run.
void write_run_hgrm(run_record& r, const std::string& path, const loadgen::histogram& latency);

// Writes the run's HdrHistogram interval log of `result`'s intervals to r.options.hlog_path
// (none when empty); a failure is a problem of the run.
void write_run_hlog(run_record& r, const loadgen::load_result& result);

}  // namespace robotbench
