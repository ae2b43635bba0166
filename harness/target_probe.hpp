#pragma once
// A quick check that something accepts connections at a target before the load starts against
// it, so a wrong address is one clear line instead of a run full of connect errors.

#include <chrono>
#include <string>

#include "loadgen/load.hpp"

namespace robotbench {

// Opens and closes one TCP connection to `target`; an empty string when that worked, else why
// not (`connection refused`, `no answer within 2000 ms`). Any thread.
std::string probe_target(const loadgen::endpoint& target, std::chrono::milliseconds timeout);

}  // namespace robotbench
