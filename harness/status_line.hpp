#pragma once
// The live status line shown once a second during a run, on a terminal only: requests/s, p99 so
// far and errors, rewritten in place and erased before the report.

#include <cstdio>
#include <string>
#include <string_view>

#include "loadgen/load.hpp"

namespace robotbench {

// `[thread] 3s measured: 123,456 req/s, p99 45.1 µs, 0 errors`. Pure.
std::string status_text(std::string_view label, const loadgen::progress& p);

// Writes status_text() over the previous one on the report's stream. Does nothing when that
// stream is not a terminal. Used by the thread that runs the load (the progress callback's
// thread).
class status_line {
  public:
    // Writes to `to` (stdout, or stderr when results go to stdout); enabled when it is a terminal.
    // nullptr: shows nothing (-q, and the ranks of a distributed run other than rank 0).
    explicit status_line(std::FILE* to = stdout);
    status_line(const status_line&) = delete;
    status_line& operator=(const status_line&) = delete;
    ~status_line() { clear(); }

    void show(std::string_view label, const loadgen::progress& p);
    // Shows a phase without figures: `[thread] presence check`.
    void show(std::string_view label, std::string_view phase);
    // Erases the line, if one is shown.
    void clear();

  private:
    std::FILE* to_;
    bool enabled_;
    bool shown_ = false;
};

}  // namespace robotbench
