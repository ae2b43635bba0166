#pragma once
// What `robotbench compare` prints and writes: a table for people, and a JSON document for
// scripts with the same figures.

#include <string>

#include "compare.hpp"

namespace robotbench {

// One row per cell and metric (A, B, B/A, the interval, the verdict), then the cells found on
// one side only, the noisy cells, and a closing count of regressions. Pure.
std::string compare_table(const comparison& c);

// The comparison as an indented JSON document, ending with a line end. Pure.
std::string compare_json(const comparison& c);

}  // namespace robotbench
