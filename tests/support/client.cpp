#include "support/client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <thread>

namespace robotbench::test {

client::client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fd_.reset();
}

bool client::send(std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::optional<std::string> client::ask(std::string_view line, std::chrono::milliseconds timeout) {
    if (!send(std::string(line) + "\n")) return std::nullopt;
    return read_line(timeout);
}

bool client::fill(std::chrono::milliseconds timeout) {
    pollfd p{fd_.get(), POLLIN, 0};
    int ready;
    do ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    while (ready < 0 && errno == EINTR);
    if (ready <= 0) return false;
    char chunk[65536];
    ssize_t n;
    do n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    buffered_.append(chunk, static_cast<std::size_t>(n));
    return true;
}

std::optional<std::string> client::read_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (const auto nl = buffered_.find('\n'); nl != std::string::npos) {
            std::string line = buffered_.substr(0, nl);
            buffered_.erase(0, nl + 1);
            return line;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !fill(left)) return std::nullopt;
    }
}

bool client::read_to_eof(std::string& out, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        out += buffered_;
        buffered_.clear();
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char chunk[65536];
        const auto n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return true;  // EOF, or a reset after the server closed
        out.append(chunk, static_cast<std::size_t>(n));
    }
}

std::string client::read_bytes(std::size_t n, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffered_.size() < n) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !fill(left)) break;
    }
    std::string out = buffered_.substr(0, n);
    buffered_.erase(0, out.size());
    return out;
}

void client::reset() {
    const linger hard{1, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    fd_.reset();
}

void client::shutdown_write() { ::shutdown(fd_.get(), SHUT_WR); }

void client::set_nodelay() {
    const int one = 1;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool client::send_bytewise(std::string_view bytes, std::chrono::microseconds gap) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (!send(bytes.substr(i, 1))) return false;
        if (gap.count() > 0) std::this_thread::sleep_for(gap);
    }
    return true;
}

std::int64_t online_eventually(std::uint16_t port, std::int64_t expected) {
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    std::int64_t seen = -1;
    while (std::chrono::steady_clock::now() < deadline) {
        client asker(port);
        const auto reply = asker.ask("/online");
        if (reply && reply->starts_with("online ")) seen = std::stoll(reply->substr(7));
        if (seen == expected) return seen;
        asker.close();
        std::this_thread::sleep_for(20ms);
    }
    return seen;
}

}  // namespace robotbench::test
