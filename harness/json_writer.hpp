#pragma once
// The JSON document of a robotbench invocation: the environment, and per run every CSV column
// (same names, same units; n/a is null) plus the full configuration and the details behind the
// numbers (error kinds, presence failures, problems, warnings); then the summary of each cell's
// repeats (summary_columns.hpp: medians and their confidence intervals).

#include <span>
#include <string>
#include <string_view>

#include "environment.hpp"
#include "json_out.hpp"
#include "run_record.hpp"

namespace robotbench {

// Writes the member `environment`: the machine and the build.
void write_environment(json_out& j, const environment& env);

// The whole document, indented, ending with a line end. Pure.
std::string runs_json(const environment& env, std::span<const run_record> runs);

// Writes runs_json() to `path` (replacing it), creating its directory when missing. Throws
// std::system_error.
// `-` writes the document to standard output.
void write_json(const std::string& path, const environment& env, std::span<const run_record> runs);

}  // namespace robotbench
