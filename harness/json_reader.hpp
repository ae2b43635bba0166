#pragma once
// Reading JSON documents: the result files `robotbench compare` takes (robotbench's own JSON and
// the Google Benchmark JSON of CI runs). A small strict parser into a tree of values.

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace robotbench {

// One JSON value: null, a boolean, a number, a string, an array or an object (members in
// document order). Plain data.
struct json_value {
    using array = std::vector<json_value>;
    using object = std::vector<std::pair<std::string, json_value>>;

    std::variant<std::nullptr_t, bool, double, std::string, array, object> value;

    // The member `key` of an object, or nullptr (also when this is not an object).
    const json_value* find(std::string_view key) const;
    const double* number() const { return std::get_if<double>(&value); }
    const std::string* string() const { return std::get_if<std::string>(&value); }
    const array* items() const { return std::get_if<array>(&value); }
    const object* members() const { return std::get_if<object>(&value); }
    bool is_null() const { return std::holds_alternative<std::nullptr_t>(value); }
};

// Parses one whole document (RFC 8259; nesting at most 256 deep). Throws std::runtime_error
// naming the byte offset and what was expected. Pure.
json_value parse_json(std::string_view text);

}  // namespace robotbench
