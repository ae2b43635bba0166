#pragma once
// The JSON document of a robotbench invocation: the environment, and per run every CSV column
// (same names, same units; n/a is null) plus the full configuration and the details behind the
// numbers (error kinds, presence failures, problems, warnings); then the summary of each cell's
// repeats (summary_columns.hpp: medians and their confidence intervals).

#include <span>
#include <string>

#include "environment.hpp"
#include "json.hpp"
#include "run_record.hpp"
#include "text_file.hpp"

namespace robotbench {

// The member `environment`: the machine and the build. Pure.
json environment_json(const environment& env);

// The whole document. Pure.
json runs_document(const environment& env, std::span<const run_record> runs);

// The whole document as text, indented, ending with a line end. Pure.
std::string runs_json(const environment& env, std::span<const run_record> runs);

// Writes runs_json() to `path` (replacing it), creating its directory when missing. Throws
// std::system_error.
// `-` writes the document to standard output.
void write_json(const std::string& path, const environment& env, std::span<const run_record> runs);

}  // namespace robotbench
