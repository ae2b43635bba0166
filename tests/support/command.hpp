#pragma once
// Running the robotbench executable as a user would, and reading the CSV files it writes.

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/child_process.hpp"

namespace robotbench::test {

// What a finished command printed and how it ended.
struct outcome {
    int status = -1;                 // exit status; -1 if it had to be killed
    std::string output;              // stdout and stderr together
    std::vector<std::string> lines;  // output, line by line
};

// Reads a started child's output to its end and reaps it; kills it and fails the test after
// `timeout`.
outcome collect(child_process& child, std::chrono::seconds timeout);

// Runs `robotbench ARGS...` to the end with stderr joined to stdout; kills it and fails the
// test after `timeout`.
outcome run_robotbench(const std::vector<std::string>& args,
                       std::chrono::seconds timeout = std::chrono::seconds(120));

// A CSV row by column name.
using csv_row = std::map<std::string, std::string>;

// Every row of a CSV file with a header line; fails the test when a row and the header differ
// in length. Quoted fields (commas, quotes) are understood.
std::vector<csv_row> read_csv(const std::filesystem::path& path);

// The last row of a CSV file (empty when it has none); `rows` receives the row count.
csv_row last_csv_row(const std::filesystem::path& path, std::size_t* rows = nullptr);

// A cell as a number; fails the test when the column is missing or not a number.
double number(const csv_row& row, const std::string& column);

}  // namespace robotbench::test
