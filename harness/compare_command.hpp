#pragma once
// `robotbench compare A B`: reads two result files, prints the cell-by-cell comparison, writes
// it as JSON when asked, and exits 1 when a significant regression past the threshold is found.

#include <CLI/CLI.hpp>
#include <string>

namespace robotbench {

// What `robotbench compare` was asked.
struct compare_options {
    std::string a;              // the baseline: a CSV or JSON result file
    std::string b;              // the file compared with it
    double threshold_pct = 10;  // --threshold: how much worse a significant change must be
    std::string json_path;      // --json: the comparison as JSON; `-` is standard output
};

// Adds compare's arguments and flags.
void add_compare_options(CLI::App& app, compare_options& options);

// Runs the comparison. Exit status: 0 no significant regression past the threshold, 1 at least
// one, 2 a file that cannot be read, is no result file, or shares no cell with the other.
int compare_command(const compare_options& options);

}  // namespace robotbench
