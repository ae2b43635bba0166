#pragma once
// The summary of repeated runs for scripts: one row per cell with the median of throughput and
// of each latency percentile, their confidence intervals (`*_ci_low`, `*_ci_high`), the spread
// and the noisy flag. The summary CSV and the JSON document's `summary` carry the same fields.

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cell_summary.hpp"
#include "columns.hpp"

namespace robotbench {

// Every field of one cell's row, named, in header order. Pure.
std::vector<std::pair<std::string, cell>> summary_fields(const cell_summary& summary);

// The header: the names summary_fields gives, comma-separated, without a line end. Pure.
std::string summary_csv_header();

// Writes (replaces) `path` with the header and one row per cell, creating its folder; `-` is
// standard output. Throws std::system_error or std::runtime_error.
void write_summary_csv(const std::string& path, std::span<const cell_summary> cells);

}  // namespace robotbench
