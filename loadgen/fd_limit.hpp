#pragma once
// Making room for many client sockets.

#include <cstddef>

namespace robotbench::loadgen {

// Raises this process's soft descriptor limit toward its hard limit when `needed` descriptors
// (plus a margin) would not fit. Never fails: connects that still do not fit count as errors.
void ensure_fd_limit(std::size_t needed) noexcept;

}  // namespace robotbench::loadgen
