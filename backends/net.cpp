#include "net.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <system_error>

#include "protocol/reply.hpp"

namespace robotbench {

namespace {

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

unique_fd open_spare() { return unique_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }

// Failed accepts in a row, of errors that belong to one connection each, before accepting
// pauses anyway.
constexpr unsigned failures_before_pause = 64;

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
    : listen_fd_(listen_fd), nonblocking_clients_(nonblocking_clients), spare_(open_spare()) {
    if (!spare_) fail("open /dev/null (the acceptor's spare descriptor)");
}

std::optional<unique_fd> acceptor::accept() {
    if (paused()) return std::nullopt;
    const int flags = SOCK_CLOEXEC | (nonblocking_clients_ ? SOCK_NONBLOCK : 0);
    for (;;) {
        unique_fd client(::accept4(listen_fd_, nullptr, nullptr, flags));
        if (client) {
            progressed();
            set_nodelay(client.get());
            return client;
        }
        const int error = errno;
        if (error == EINTR) continue;
        if (error == EAGAIN || error == EWOULDBLOCK) {
            progressed();
            return std::nullopt;
        }
        // Every other error is a failure; enough of them in a row pause accepting, whatever
        // they are, so that an error that does not take the client off the queue cannot spin.
        ++failures_in_a_row_;
        switch (error) {
            case ECONNABORTED:
            case EPROTO:
            case ENOPROTOOPT:
            case EHOSTDOWN:
            case ENONET:
            case EHOSTUNREACH:
            case EOPNOTSUPP:
            case ENETDOWN:
            case ENETUNREACH:
            case EPERM:
                // The error of one connection, which it took off the queue: on to the next.
                if (failures_in_a_row_ < failures_before_pause) continue;
                break;
            case EMFILE:
            case ENFILE:
                if (shed_one()) return std::nullopt;
                break;
            default:
                // ENOMEM, ENOBUFS: the kernel is short of memory; anything else would repeat.
                break;
        }
        pause();
        return std::nullopt;
    }
}

bool acceptor::shed_one() noexcept {
    if (!spare_) spare_ = open_spare();  // lost earlier: try again
    if (!spare_) return false;
    spare_.reset();
    unique_fd victim(::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC));
    const int error = errno;
    const bool took = static_cast<bool>(victim);
    if (took) refuse_full(std::move(victim));  // closes it: its number becomes the spare's again
    spare_ = open_spare();
    if (took) {
        failures_in_a_row_ = 0;
        return true;
    }
    if (error != EAGAIN && error != EWOULDBLOCK) return false;
    // The client left before it could be taken: the queue is empty, nothing to pause for.
    progressed();
    return true;
}

void acceptor::pause() noexcept {
    resume_at_ = std::chrono::steady_clock::now() + next_pause_;
    next_pause_ = std::min(next_pause_ * 2, longest_pause);
}

void acceptor::progressed() noexcept {
    failures_in_a_row_ = 0;
    next_pause_ = first_pause;
}

bool acceptor::paused() const noexcept {
    return std::chrono::steady_clock::now() < resume_at_;
}

int acceptor::pause_left_ms() const noexcept {
    const auto left = resume_at_ - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return -1;
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
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

void close_lingering(unique_fd client) noexcept {
    using clock = std::chrono::steady_clock;
    constexpr int quiet_ms = 100;
    const auto give_up = clock::now() + std::chrono::seconds(2);
    ::shutdown(client.get(), SHUT_WR);
    char sink[16384];
    while (clock::now() < give_up) {
        pollfd p{client.get(), POLLIN, 0};
        const int ready = ::poll(&p, 1, quiet_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return;  // quiet for quiet_ms, or poll failed: close now
        const auto n = ::recv(client.get(), sink, sizeof sink, MSG_DONTWAIT);
        if (n == 0) return;  // the client closed: nothing more can arrive
        if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return;
    }
}

}  // namespace robotbench
