#pragma once
// JSON documents through nlohmann-json: members in the order they were added, two-space
// indentation, decimals rounded to the places their column promises, invalid UTF-8 replaced.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "columns.hpp"

namespace robotbench {

// A JSON value whose objects keep their members in insertion order.
using json = nlohmann::ordered_json;

// `v` rounded to `places` decimals, or null when it is not finite. Pure.
json json_number(double v, int places);

// `v` rounded to `places` decimals, or null when absent or not finite. Pure.
json json_number(const std::optional<double>& v, int places);

// A CSV cell as JSON: n/a is null, a decimal is rounded to its places. Pure.
json json_cell(const cell& c);

// The document as text: indented by two spaces, ending with a line end; invalid UTF-8 in any
// string becomes U+FFFD instead of passing on. Pure.
std::string json_text(const json& document);

// Parses a whole document (RFC 8259), keeping member order. Throws std::runtime_error naming the
// byte offset and what was wrong. Pure.
json parse_json(const std::string& text);

}  // namespace robotbench
