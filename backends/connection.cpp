#include "connection.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace robotbench {

interest connection::on_ready(bool readable, std::span<char> scratch, const presence& online) {
    if (readable && session_.wants_input() && !read_once(scratch, online)) failed_ = true;
    if (!failed_ && !flush()) failed_ = true;
    return current();
}

interest connection::current() const {
    if (failed_ || session_.finished()) return {.close = true};
    return {.read = session_.wants_input(), .write = !session_.output().empty()};
}

bool connection::read_once(std::span<char> scratch, const presence& online) {
    for (;;) {
        const auto n = ::recv(fd_.get(), scratch.data(), scratch.size(), 0);
        if (n > 0) {
            session_.on_input(scratch.first(static_cast<std::size_t>(n)), online.count());
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

bool connection::flush() {
    while (!session_.output().empty()) {
        const auto out = session_.output();
        const auto n = ::send(fd_.get(), out.data(), out.size(), MSG_NOSIGNAL);
        if (n > 0) {
            session_.consume(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    return true;
}

}  // namespace robotbench
