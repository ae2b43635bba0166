#pragma once
// The files a command will write, checked before anything starts, so that a path that cannot be
// written fails at once instead of after the whole benchmark.

#include <string>
#include <vector>

namespace robotbench {

// Why `path` cannot be written, or empty when it can (or is empty, or is `-` for standard output
// and `allow_stdout`). A missing file's folder is created and must be writable; an existing file
// (or pipe, FIFO, device) must be writable and is never read or changed. Call from the main
// thread before the first connection.
std::string output_problem(const std::string& path, bool allow_stdout);

// The same for a CSV file, which is also refused when it starts with another header. Never reads
// anything but a regular file.
std::string csv_output_problem(const std::string& path);

// The first problem among a command's outputs: the CSV, the JSON and every .hgrm path; empty
// when every one can be written.
std::string outputs_problem(const std::string& csv_path, const std::string& json_path,
                            const std::vector<std::string>& hgrm_paths);

}  // namespace robotbench
