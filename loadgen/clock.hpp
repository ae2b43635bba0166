#pragma once
// The one clock of the load generator: steady (CLOCK_MONOTONIC), in ns, read through the vDSO.

#include <chrono>
#include <cstdint>
#include <limits>

namespace robotbench::loadgen {

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

// Steady-clock time in ns; any thread.
inline std::int64_t now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace robotbench::loadgen
