#pragma once
// Warnings for a run whose numbers may describe the load generator rather than the server.

#include <string>
#include <vector>

#include "run_record.hpp"

namespace robotbench {

// One sentence per sign that the generator limited the run: in closed loop it spent at least as
// much CPU per request as the server; its threads were nearly always busy; in open loop it fell
// well behind its schedule. `cores` is the machine's CPU count. Pure.
std::vector<std::string> bottleneck_warnings(const run_record& run, unsigned cores);

}  // namespace robotbench
