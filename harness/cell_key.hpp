#pragma once
// What makes two runs the same measurement: the cell of a sweep (backend, scenario, connections,
// payload size, pipeline depth, rate). Repeats of a cell are summarised together, and `robotbench
// compare` matches two result files cell by cell.

#include <compare>
#include <cstddef>
#include <string>

#include "run_record.hpp"

namespace robotbench {

// One cell. An outside target (`load --target`) has an empty backend.
struct cell_key {
    std::string backend;
    std::string scenario = "load";
    unsigned connections = 0;
    std::size_t size = 0;
    unsigned pipeline = 1;
    double rate = 0;  // req/s; 0 is closed loop

    auto operator<=>(const cell_key&) const = default;
};

// The cell a run measured. Pure.
cell_key key_of(const run_record& run);

// `select c=64 size=64 P=1 closed` or `thread c=8 size=64 P=1 R=20000`; `target` for an empty
// backend. Pure.
std::string cell_text(const cell_key& key);

}  // namespace robotbench
