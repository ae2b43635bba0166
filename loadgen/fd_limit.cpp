// RLIMIT_NOFILE for the load generator.

#include "fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace robotbench::loadgen {

void ensure_fd_limit(std::size_t needed) noexcept {
    constexpr rlim_t margin = 64;  // epoll sets, stdio, the harness's own files
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    const rlim_t want = rlim_t(needed) + margin;
    if (limit.rlim_cur >= want) return;
    limit.rlim_cur = std::min(want, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace robotbench::loadgen
