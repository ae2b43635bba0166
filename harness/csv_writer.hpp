#pragma once
// One CSV row per run, with a fixed header (the columns of columns.hpp), for scripts.

#include <span>
#include <string>

#include "columns.hpp"

namespace robotbench {

// The header line, without a line end. Pure.
std::string csv_header();

// One run's row, without a line end: n/a cells are the text `n/a`; text with a comma, quote or
// line end is quoted. Pure.
std::string csv_row(const run_record& run);

// One cell as CSV text. Pure.
std::string csv_field(const cell& value);

// Appends one row per run to `path`, writing the header first when the file is new or empty and
// creating its directory when missing. Throws std::runtime_error when the file exists with
// another header (rows of different shapes never share a file), std::system_error when it
// cannot be written.
void append_csv(const std::string& path, std::span<const run_record> runs);

}  // namespace robotbench
