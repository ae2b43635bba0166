#pragma once
// The columns of a run's CSV row, defined once: the CSV writer and the JSON writer both walk this
// list, so the two always carry the same names, values and units. docs/usage.md describes each.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "run_record.hpp"

namespace robotbench {

// A number printed with a fixed count of decimals.
struct decimal {
    double value;
    int places;
};

// One cell: n/a (std::monostate), text, a count, or a decimal.
using cell = std::variant<std::monostate, std::string, std::uint64_t, decimal>;

// A column: its header name and how to read its value from a run.
struct column {
    std::string_view name;
    cell (*value)(const run_record&);
};

// Every column in header order. The order and names only ever grow at the end.
std::span<const column> columns();

}  // namespace robotbench
