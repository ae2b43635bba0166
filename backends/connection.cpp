#include "connection.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "idle_deadline.hpp"
#include "net.hpp"

namespace robotbench {

interest connection::on_ready(bool readable, std::span<char> scratch, const presence& online) {
    bool progress = false;
    if (readable && session_.wants_input() && !read_once(scratch, online, progress)) failed_ = true;
    if (!failed_ && !flush(progress)) failed_ = true;
    interest next = current();
    next.progress = progress;
    return next;
}

interest connection::current() const {
    if (failed_ || session_.finished()) return {.close = true};
    return {.read = session_.wants_input(), .write = !session_.output().empty()};
}

bool connection::read_once(std::span<char> scratch, const presence& online, bool& progress) {
    for (;;) {
        const auto n = ::recv(fd_.get(), scratch.data(), scratch.size(), 0);
        if (n > 0) {
            if (session_.on_input(scratch.first(static_cast<std::size_t>(n)), online.count()) > 0)
                progress = true;
            return true;
        }
        if (n == 0) {
            session_.on_eof();
            return true;
        }
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

bool connection::flush(bool& progress) {
    while (!session_.output().empty()) {
        const auto out = session_.output();
        const auto n = ::send(fd_.get(), out.data(), out.size(), MSG_NOSIGNAL);
        if (n > 0) {
            session_.consume(static_cast<std::size_t>(n));
            progress = true;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    return true;
}

// On a blocking socket a recv or send returns EAGAIN only when the socket's timeout (set by
// blocking_idle_deadline) passed, which is when the deadline is looked at.
void serve_blocking(connection& conn, std::span<char> scratch, const presence& online,
                    std::chrono::nanoseconds idle_timeout) {
    blocking_idle_deadline idle(conn.fd(), idle_timeout);
    for (;;) {
        const interest next = conn.on_ready(true, scratch, online);
        if (next.close) break;
        if (idle.expired(next.progress))
            return close_idle(conn.release_fd(), conn.replies_pending());
    }
    close_gracefully(conn.release_fd());
}

}  // namespace robotbench
