#pragma once
// Warnings for a run whose numbers may describe the load generator rather than the server.

#include <string>
#include <vector>

#include "run_record.hpp"

namespace robotbench {

// The generator/server CPU ratio (over the measured window) from which a closed-loop run warns
// that the generator may have been the bottleneck.
constexpr double generator_cpu_ratio_warning = 0.9;

// One sentence per sign that the generator limited the run: in closed loop it spent at least
// generator_cpu_ratio_warning times the server's CPU; its threads were nearly always busy; in open loop it fell
// well behind its schedule. `cores` is the machine's CPU count. Pure.
std::vector<std::string> bottleneck_warnings(const run_record& run, unsigned cores);

}  // namespace robotbench
