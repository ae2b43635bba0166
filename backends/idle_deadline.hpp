#pragma once
// Idle clients (`serve --idle-timeout D`) for the backends that serve a client with blocking I/O
// on a process or thread of its own (fork, prefork, thread-per-client), and the check period the
// thread pool's sweep shares with them. See idle_list.hpp for the loops, and docs/protocol.md
// ("Idle clients") for what counts as progress.

#include <chrono>

#include "idle_list.hpp"

namespace robotbench {

// How often a client that blocks in recv or send, or the thread pool's sweep, looks at the idle
// deadline: a quarter of the timeout, so a client is closed between D and 1.25 D after its last
// progress (the thread pool: 1.5 D for a client paused by backpressure).
constexpr std::chrono::nanoseconds idle_check_period(std::chrono::nanoseconds timeout) {
    const auto quarter = timeout / 4;
    return quarter < std::chrono::milliseconds(1) ? std::chrono::milliseconds(1) : quarter;
}

// The idle deadline of one client served with blocking I/O. The socket's receive and send
// timeouts, set once for the connection, make every blocking recv or send return at least once
// per check period, so the deadline is looked at with no extra system call per request. Off
// (zero timeout): no socket option is set and expired() is always false, without a clock read.
// Used by the client's own process or thread.
class blocking_idle_deadline {
public:
    // Sets SO_RCVTIMEO and SO_SNDTIMEO on the blocking socket `fd` to the check period when
    // `timeout` is on; the client's idle time starts now.
    blocking_idle_deadline(int fd, std::chrono::nanoseconds timeout) noexcept;

    // To be called each time a recv or send returned (with data, or EAGAIN after the socket's
    // timeout): `progress` when a complete line arrived or reply bytes left. True once the client
    // has made no progress for the timeout.
    bool expired(bool progress) noexcept;

private:
    std::chrono::nanoseconds timeout_;
    idle_clock::time_point since_{};  // the last progress
};

}  // namespace robotbench
