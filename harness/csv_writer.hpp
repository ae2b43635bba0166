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

// Where a command's CSV rows go. A regular file is appended to, the header written first when it
// is new or empty, its folder created; a file that starts with another header is refused (rows
// of different shapes never share a file). `-` is standard output, and a pipe, FIFO or device
// path is written and never read: the header comes before the first row. Used by the main
// thread.
class csv_output {
  public:
    explicit csv_output(std::string path);
    // Appends one row per run. Throws std::runtime_error (another header) or std::system_error.
    void append(std::span<const run_record> runs);
    const std::string& path() const noexcept { return path_; }

  private:
    std::string path_;
    bool header_written_ = false;  // by this object, to a stream that cannot be read back
};

// csv_output(path).append(runs), for a single append.
void append_csv(const std::string& path, std::span<const run_record> runs);

// Why a CSV file that starts with another header is refused: one line.
std::string another_header(const std::string& path);

}  // namespace robotbench
