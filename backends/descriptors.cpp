#include "descriptors.hpp"

#include <fcntl.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/core.h>

#include "system/unique_fd.hpp"

namespace robotbench {

namespace {

// Descriptors counted one by one at most; a limit above it is never the one a server hits.
constexpr unsigned long counted_at_most = 1 << 20;

std::string limit_text() { return fmt::format("RLIMIT_NOFILE {}", descriptor_limit()); }

}  // namespace

unsigned long descriptor_limit() noexcept {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return ~0UL;
    return lim.rlim_cur;
}

unsigned open_descriptors() noexcept {
    const unsigned long below = std::min(descriptor_limit(), counted_at_most);
    unsigned open = 0;
    for (unsigned long fd = 0; fd < below; ++fd)
        open += ::fcntl(static_cast<int>(fd), F_GETFD) >= 0;
    return open;
}

void require_free_descriptors(unsigned count, std::string_view for_what) {
    std::vector<unique_fd> probes;
    probes.reserve(count);
    while (probes.size() < count) {
        unique_fd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (fd) {
            probes.push_back(std::move(fd));
            continue;
        }
        const int error = errno;
        if (error == EMFILE) {
            const unsigned held = open_descriptors() - static_cast<unsigned>(probes.size());
            throw descriptor_shortage(fmt::format(
                "too few descriptors to serve a client ({}): the server holds {} and needs {} "
                "more for {}; raise the limit to at least {}",
                limit_text(), held, count, for_what, held + count));
        }
        throw descriptor_shortage(describe_descriptor_shortage(
            fmt::format("open /dev/null for {}: {}", for_what, std::strerror(error))));
    }
}

std::string describe_descriptor_shortage(std::string_view failure) {
    return fmt::format("too few descriptors to serve a client ({}): {}", limit_text(), failure);
}

}  // namespace robotbench
