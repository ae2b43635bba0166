#pragma once
// The machine and the build a run happened on, for the JSON document and report headers.

#include <chrono>
#include <string>
#include <vector>

namespace robotbench {

// Facts about this machine and this robotbench build.
struct environment {
    std::string version;       // robotbench's version
    std::string git_revision;  // of the source tree, captured when CMake configured the build
    std::string build_type;    // CMAKE_BUILD_TYPE
    std::string sanitizers;    // ROBOTBENCH_SANITIZE, empty when none
    std::string compiler;
    std::string kernel;  // `Linux 6.1.0-18-amd64`
    std::string cpu_model;
    unsigned cores = 0;  // online logical CPUs
    std::string command_line;  // this process's arguments, quoted for a POSIX shell
};

// Reads uname and /proc/cpuinfo; never throws (unknown facts read `unknown`). Any thread.
environment current_environment();

// `robotbench 0.1.0 (git 1a2b3c4d5e6f, g++ 12.2.0, RelWithDebInfo)`, for --version. Any thread.
std::string version_line();

// The arguments joined by spaces, each one that a shell would split or expand in single quotes,
// so that pasting the line repeats the command. Pure.
std::string shell_command_line(const std::vector<std::string>& args);

// `2024-05-01T12:34:56Z`. Pure.
std::string utc_timestamp(std::chrono::system_clock::time_point t);

}  // namespace robotbench
