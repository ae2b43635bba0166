#pragma once
// Result files read back for `robotbench compare`: the CSV rows of run and sweep, robotbench's
// JSON document, and the Google Benchmark JSON that scripts/ci-perf.sh writes. Each gives its
// measured runs, each with its cell and figures.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cell_key.hpp"
#include "json.hpp"

namespace robotbench {

// One measured run read from a file.
struct result_run {
    cell_key key;
    std::string status;
    std::map<std::string, double, std::less<>> figures;  // by CSV column: throughput_rps, ...
};

// What one file held.
struct result_file {
    std::string path;
    std::string format;            // `CSV`, `robotbench JSON` or `Google Benchmark JSON`
    std::vector<result_run> runs;  // the runs that measured something, in file order
    std::size_t left_out = 0;      // rows that measured nothing (skipped, failed, interrupted)
};

// Reads `path`, whichever of the three formats it is. Throws std::runtime_error with one line
// naming the file and the problem.
result_file read_results(const std::string& path);

// The same from a file's text. Pure.
result_file results_from_text(std::string_view text, const std::string& path);

// The records of a CSV text, fields unquoted; quoted fields may hold commas, quotes and line
// ends. Pure.
std::vector<std::vector<std::string>> parse_csv(std::string_view text);

}  // namespace robotbench
