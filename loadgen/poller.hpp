#pragma once
// epoll with a deadline of nanosecond precision: epoll_pwait2 where the kernel has it, else an
// absolute timerfd in the same epoll set. Used by the open-loop schedule, whose send times are
// often less than a millisecond apart.

#include <sys/epoll.h>

#include <array>
#include <cstdint>
#include <span>

#include "system/unique_fd.hpp"

namespace robotbench::loadgen {

// One epoll set with its event buffer. Owned and used by one generator thread. Tokens are the
// caller's; the token ~0u is reserved.
class poller {
  public:
    poller();  // throws std::system_error

    void add(int fd, std::uint32_t events, std::uint32_t token);     // throws std::system_error
    void modify(int fd, std::uint32_t events, std::uint32_t token);  // throws std::system_error
    void remove(int fd) noexcept;

    // Waits until a descriptor is ready or the steady clock reaches deadline_ns (`never`: no
    // deadline). Returns the ready events, valid until the next call; empty on timeout or EINTR.
    std::span<const epoll_event> wait_until(std::int64_t deadline_ns);

  private:
    std::span<const epoll_event> wait_with_timerfd(std::int64_t deadline_ns);

    unique_fd epoll_;
    unique_fd timer_;  // only when epoll_pwait2 is missing
    bool have_pwait2_ = true;
    std::array<epoll_event, 256> events_{};
};

}  // namespace robotbench::loadgen
