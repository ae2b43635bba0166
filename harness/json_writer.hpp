#pragma once
// The JSON document of a robotbench invocation: the environment, and per run every CSV column
// (same names, same units; n/a is null) plus the full configuration and the details behind the
// numbers (error kinds, presence failures, problems, warnings).

#include <span>
#include <string>
#include <string_view>

#include "environment.hpp"
#include "run_record.hpp"

namespace robotbench {

// `text` as a JSON string literal, quotes included; invalid UTF-8 becomes U+FFFD. Pure.
std::string json_string(std::string_view text);

// The whole document, indented, ending with a line end. Pure.
std::string runs_json(const environment& env, std::span<const run_record> runs);

// Writes runs_json() to `path` (replacing it), creating its directory when missing. Throws
// std::system_error.
// `-` writes the document to standard output.
void write_json(const std::string& path, const environment& env, std::span<const run_record> runs);

}  // namespace robotbench
