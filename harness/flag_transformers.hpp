#pragma once
// CLI11 transformers for flags with units or names: byte counts (`64`, `4k` or `4KiB` = 4,096,
// `1m` = 1,048,576; CLI11's AsSizeValue, k, m, g being powers of 1,024) and --scenario (a
// CheckedTransformer to the enum). Durations: duration.hpp.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

#include "run_options.hpp"

namespace robotbench {

// The units a size flag takes, for messages.
inline constexpr std::string_view size_units = "b, k/kb/kib, m/mb/mib, g/gb/gib (powers of 1024)";

// The bytes `text` stands for, or nullopt when it is not a size. Pure; any thread.
std::optional<std::uint64_t> parse_size(std::string_view text);

// A transformer for a size flag: replaces the text by its byte count, or refuses it in one line
// naming the units. Add with Option::transform before any range check.
CLI::Validator size_transformer();

// A transformer for --scenario: a name (load, presence, churn, idle) becomes the enum; anything
// else is refused in one line naming the valid names.
CLI::Validator scenario_transformer();

}  // namespace robotbench
