// Client sockets for the load generator.

#include "client_socket.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "usage_error.hpp"

namespace robotbench::loadgen {

resolved_endpoint resolve(const endpoint& target) {
    if (target.port == 0) throw usage_error("the target port must not be 0");
    resolved_endpoint out;
    if (const char* why = lookup(target, out.address, out.length))
        throw usage_error(
            fmt::format("cannot resolve target host '{}': {}", target.host, why));
    out.text = fmt::format("{}:{}", target.host, target.port);
    return out;
}

const char* lookup(const endpoint& target, sockaddr_storage& address, socklen_t& length) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const auto port = std::to_string(target.port);
    const int rc = ::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &found);
    if (rc != 0) return ::gai_strerror(rc);
    if (found == nullptr) return "no address";
    std::memcpy(&address, found->ai_addr, found->ai_addrlen);
    length = found->ai_addrlen;
    ::freeaddrinfo(found);
    return nullptr;
}

connect_attempt start_connect(const sockaddr_storage& address, socklen_t length) noexcept {
    connect_attempt out;
    out.fd.reset(
        ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
    if (!out.fd) {
        out.error = errno;
        return out;
    }
    const int one = 1;
    ::setsockopt(out.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc;
    do {
        rc = ::connect(out.fd.get(), reinterpret_cast<const sockaddr*>(&address), length);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0) {
        out.established = true;
    } else if (errno != EINPROGRESS) {
        out.error = errno;
        out.fd.reset();
    }
    return out;
}

int finish_connect(int fd) noexcept {
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0) return errno;
    return error;
}

io_result read_some(int fd, std::span<char> into) noexcept {
    for (;;) {
        const long n = ::syscall(SYS_recvfrom, fd, into.data(), into.size(), 0, nullptr, nullptr);
        if (n > 0) return {io_status::ok, std::size_t(n)};
        if (n == 0) return {io_status::closed};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {io_status::again};
        return {io_status::reset};
    }
}

io_result write_some(int fd, std::span<const char> bytes) noexcept {
    for (;;) {
        const long n =
            ::syscall(SYS_sendto, fd, bytes.data(), bytes.size(), MSG_NOSIGNAL, nullptr, 0);
        if (n >= 0) return {io_status::ok, std::size_t(n)};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {io_status::again};
        return {io_status::reset};
    }
}

}  // namespace robotbench::loadgen
