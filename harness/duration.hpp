#pragma once
// Durations on the command line, in the manner of wrk: `500ms`, `5s`, `1m`, `2.5s`; a bare
// number is seconds.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace robotbench {

// Parses a non-negative duration with an optional unit (ns, us, ms, s, m, h) through CLI11's
// AsNumberWithUnit (exact to six significant digits); nullopt when the text is not one. Pure;
// any thread.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// The shortest exact spelling of a duration in the units parse_duration accepts (`500ms`, `5s`,
// `1m`), for configuration echoes and CSV. Pure; any thread.
std::string duration_text(std::chrono::nanoseconds d);

}  // namespace robotbench
