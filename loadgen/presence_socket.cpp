#include "presence_socket.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "client_socket.hpp"

namespace robotbench::loadgen::presence_detail {

namespace {
// Reply bytes held without an LF before the stream counts as broken: replies here are short.
constexpr std::size_t max_pending_input = 64 * 1024;
}  // namespace

address resolve(const endpoint& target) {
    address out;
    if (const char* why = lookup(target, out.storage, out.length))
        throw std::runtime_error(fmt::format("cannot resolve '{}': {}", target.host, why));
    return out;
}

bool line_socket::start_connect(const address& to) {
    connect_attempt attempt = loadgen::start_connect(to.storage, to.length);
    fd_ = std::move(attempt.fd);
    if (attempt.error != 0) {
        error_ = attempt.error;
        return false;
    }
    if (!attempt.established) connecting_ = true;
    return true;
}

bool line_socket::finish_connect() {
    connecting_ = false;
    const int err = loadgen::finish_connect(fd_.get());
    if (err == 0) return true;
    error_ = err;
    fd_.reset();
    return false;
}

bool line_socket::send_all(std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        error_ = n < 0 ? errno : EPIPE;
        return false;
    }
    return true;
}

io_status line_socket::receive() {
    char chunk[4096];
    for (;;) {
        const auto n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
        if (n > 0) {
            input_.append(chunk, static_cast<std::size_t>(n));
            if (input_.size() > max_pending_input && input_.find('\n') == std::string::npos) {
                error_ = EPROTO;
                return io_status::failed;
            }
            return io_status::ok;
        }
        if (n == 0) return io_status::closed;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return io_status::again;
        error_ = errno;
        return io_status::failed;
    }
}

std::optional<std::string> line_socket::next_line() {
    const auto nl = input_.find('\n');
    if (nl == std::string::npos) return std::nullopt;
    std::string line = input_.substr(0, nl);
    input_.erase(0, nl + 1);
    return line;
}

void line_socket::close_with_reset() noexcept {
    const linger hard{1, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    fd_.reset();
}

void line_socket::shutdown_write() noexcept {
    ::shutdown(fd_.get(), SHUT_WR);
}

std::string error_text(int error) {
    return std::system_category().message(error);
}

int poll_timeout(clock::time_point deadline) {
    const auto left = deadline - clock::now();
    if (left <= clock::duration::zero()) return 0;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return static_cast<int>(std::min<decltype(ms)>(ms, 60'000));
}

std::string printable(std::string_view line) {
    constexpr std::size_t longest = 60;
    std::string out;
    for (const char c : line.substr(0, longest)) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f)
            out += c;
        else
            out += fmt::format("\\x{:02x}", byte);
    }
    if (line.size() > longest) out += "...";
    return out;
}

std::string format_ms(std::chrono::nanoseconds d) {
    return fmt::format("{:.2f} ms", static_cast<double>(d.count()) / 1e6);
}

}  // namespace robotbench::loadgen::presence_detail
