#include "connection.hpp"

#include <poll.h>
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

// With the idle timeout off the socket blocks, and a blocked send is the backpressure. With it on,
// the socket is made non-blocking and waited on for what the session wants, one check period at a
// time, so that the deadline is looked at each period and a full send buffer is waited out for
// real room (see blocking_idle_deadline::send_flags for why a blocked send will not do).
void serve_blocking(connection& conn, std::span<char> scratch, const presence& online,
                    std::chrono::nanoseconds idle_timeout) {
    if (idle_timeout.count() <= 0) {
        while (!conn.on_ready(true, scratch, online).close) {
        }
        return close_gracefully(conn.release_fd());
    }
    set_nonblocking(conn.fd());
    blocking_idle_deadline idle(conn.fd(), idle_timeout);
    bool readable = true;
    for (;;) {
        const interest next = conn.on_ready(readable, scratch, online);
        if (next.close) break;
        if (idle.expired(next.progress))
            return close_idle(conn.release_fd(), conn.replies_pending());
        const auto events =
            static_cast<short>((next.read ? POLLIN : 0) | (next.write ? POLLOUT : 0));
        readable = (idle.wait_ready(conn.fd(), events) & (POLLIN | POLLHUP | POLLERR)) != 0;
    }
    close_gracefully(conn.release_fd());
}

}  // namespace robotbench
