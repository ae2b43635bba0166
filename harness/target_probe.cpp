#include "target_probe.hpp"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include <cerrno>

#include "system/unique_fd.hpp"

namespace robotbench {

std::string probe_target(const loadgen::endpoint& target, std::chrono::milliseconds timeout) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(target.port);
    if (::inet_pton(AF_INET, target.host.c_str(), &addr.sin_addr) != 1)
        return fmt::format("'{}' is not an IPv4 address", target.host);
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return fmt::format("socket: {}", ::strerror(errno));
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return {};
    if (errno != EINPROGRESS) return ::strerror(errno);
    pollfd p{fd.get(), POLLOUT, 0};
    int ready;
    do ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    while (ready < 0 && errno == EINTR);
    if (ready == 0) return fmt::format("no answer within {} ms", timeout.count());
    int error = 0;
    socklen_t len = sizeof error;
    if (ready < 0 || ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0)
        return ::strerror(errno);
    return error == 0 ? std::string{} : std::string(::strerror(error));
}

}  // namespace robotbench
