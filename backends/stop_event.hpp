#pragma once
// The request to stop serving: set once (by the signal handling thread), seen by every loop.

#include "system/unique_fd.hpp"

namespace robotbench {

// An eventfd that becomes readable, and stays readable, once stop is requested, so any number of
// pollers (select, epoll, libuv, worker threads) can wait on it. Any thread may call any member.
class stop_event {
public:
    stop_event();
    // Asks every loop waiting on fd() to stop. Async-signal-safe.
    void request() const noexcept;
    // True once request() was called.
    bool requested() const noexcept;
    // The descriptor to wait on for readability; never read it.
    int fd() const noexcept { return fd_.get(); }

private:
    unique_fd fd_;
};

}  // namespace robotbench
