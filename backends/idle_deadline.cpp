#include "idle_deadline.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace robotbench {

blocking_idle_deadline::blocking_idle_deadline(int fd, std::chrono::nanoseconds timeout) noexcept
    : timeout_(timeout) {
    if (timeout_.count() <= 0) return;
    since_ = idle_clock::now();
    const auto period = std::chrono::ceil<std::chrono::microseconds>(idle_check_period(timeout_));
    const timeval tv{.tv_sec = static_cast<time_t>(period.count() / 1'000'000),
                     .tv_usec = static_cast<suseconds_t>(period.count() % 1'000'000)};
    // Should it fail, the client is served as before, only never timed out while it blocks.
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

bool blocking_idle_deadline::expired(bool progress) noexcept {
    if (timeout_.count() <= 0) return false;
    const auto now = idle_clock::now();
    if (progress) {
        since_ = now;
        return false;
    }
    return now - since_ >= timeout_;
}

int blocking_idle_deadline::send_flags() const noexcept {
    return timeout_.count() > 0 ? MSG_DONTWAIT : 0;
}

short blocking_idle_deadline::wait_ready(int fd, short events) const noexcept {
    if (timeout_.count() <= 0) return 0;
    const auto period = std::chrono::ceil<std::chrono::milliseconds>(idle_check_period(timeout_));
    pollfd wait{fd, events, 0};
    return ::poll(&wait, 1, static_cast<int>(period.count())) > 0 ? wait.revents : 0;
}

}  // namespace robotbench
