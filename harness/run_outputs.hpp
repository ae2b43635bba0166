#pragma once
// The files a run writes besides the report: the CSV rows, the JSON document, the .hgrm
// latency distribution.

#include <cstdio>
#include <string>
#include <vector>

#include "environment.hpp"
#include "loadgen/histogram.hpp"
#include "run_options.hpp"
#include "run_record.hpp"

namespace robotbench {

// Appends the runs' CSV rows (unless options.csv_path is empty), writes the summary CSV (when
// options.summary_csv_path is set) and the JSON document (when options.json_path is set), saying
// on `report` where they went; false, after one line on stderr saying why, when one could not be
// written.
bool write_outputs(const run_options& options, const environment& env,
                   const std::vector<run_record>& runs, std::FILE* report);

// Where the report (tables, progress, where the files went) is printed: stdout, or stderr when
// the CSV, the summary CSV or the JSON goes to standard output (`-`).
std::FILE* report_stream(const run_options& options);

// Writes `h` to `path` in HdrHistogram's .hgrm format, creating the folder. Throws
// std::system_error.
void write_hgrm(const std::string& path, const loadgen::histogram& h);

}  // namespace robotbench
