#include "net.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "protocol/reply.hpp"

namespace robotbench {

namespace {

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

unique_fd open_spare() { return unique_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }

}  // namespace

unique_fd open_listener(const std::string& host, std::uint16_t port, bool reuse_port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
        errno = EINVAL;
        fail(("invalid IPv4 address '" + host + "'").c_str());
    }
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) fail("socket");
    const int one = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        fail("setsockopt SO_REUSEADDR");
    if (reuse_port && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        fail("setsockopt SO_REUSEPORT");
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        fail(("bind " + host + ":" + std::to_string(port)).c_str());
    if (::listen(fd.get(), SOMAXCONN) != 0) fail("listen");
    return fd;
}

std::uint16_t local_port(int fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) fail("getsockname");
    return ntohs(addr.sin_port);
}

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) fail("fcntl O_NONBLOCK");
}

void set_nodelay(int fd) noexcept {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

acceptor::acceptor(int listen_fd, bool nonblocking_clients)
    : listen_fd_(listen_fd), nonblocking_clients_(nonblocking_clients), spare_(open_spare()) {}

std::optional<unique_fd> acceptor::accept() {
    const int flags = SOCK_CLOEXEC | (nonblocking_clients_ ? SOCK_NONBLOCK : 0);
    for (;;) {
        unique_fd client(::accept4(listen_fd_, nullptr, nullptr, flags));
        if (client) {
            set_nodelay(client.get());
            return client;
        }
        switch (errno) {
            case EINTR:
            case ECONNABORTED:
                continue;
            case EMFILE:
            case ENFILE:
                // Free the spare, take the waiting client off the queue, refuse it, re-arm.
                if (!spare_) spare_ = open_spare();  // lost earlier: try again
                if (!spare_) return std::nullopt;
                spare_.reset();
                if (unique_fd victim{::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC)})
                    refuse_full(std::move(victim));
                spare_ = open_spare();
                ++shed_;
                return std::nullopt;
            default:
                // EAGAIN, and transient network errors that belong to one client (ENETDOWN,
                // EPROTO, ENOBUFS...): nothing to accept now.
                return std::nullopt;
        }
    }
}

void refuse_full(unique_fd client) noexcept {
    const auto& text = protocol::server_full_reply;
    [[maybe_unused]] auto n =
        ::send(client.get(), text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    close_gracefully(std::move(client));
}

void close_idle(unique_fd client, bool replies_pending) noexcept {
    if (!replies_pending) {
        const auto& text = protocol::idle_timeout_reply;
        [[maybe_unused]] auto n =
            ::send(client.get(), text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    close_gracefully(std::move(client));
}

void close_gracefully(unique_fd client) noexcept {
    ::shutdown(client.get(), SHUT_WR);
    char sink[16384];
    for (int i = 0; i < 16; ++i) {
        const auto n = ::recv(client.get(), sink, sizeof sink, MSG_DONTWAIT);
        if (n > 0) continue;
        if (n < 0 && errno == EINTR) continue;
        break;
    }
}

}  // namespace robotbench
