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

// The idle deadline of one client served with blocking I/O. The socket's receive timeout, set
// once for the connection, makes every blocking recv return at least once per check period, and
// sends never block (send_flags, wait_ready), so the deadline is looked at with no extra system
// call per request. Off (zero timeout): no socket option is set, sends block as always, and
// expired() is always false, without a clock read. Used by the client's own process or thread.
class blocking_idle_deadline {
public:
    // Sets SO_RCVTIMEO on the blocking socket `fd` to the check period when
    // `timeout` is on; the client's idle time starts now.
    blocking_idle_deadline(int fd, std::chrono::nanoseconds timeout) noexcept;

    // To be called each time a recv or send returned (with data, or EAGAIN after the socket's
    // timeout): `progress` when a complete line arrived or reply bytes left. True once the client
    // has made no progress for the timeout.
    bool expired(bool progress) noexcept;

    // Flags for every send on the socket: MSG_DONTWAIT with the timeout on, else none. With the
    // timeout on, a send that finds the buffer full returns at once and the caller waits with
    // wait_ready() instead: a blocked send would return the few bytes that trickle free in the
    // full buffer of a client that reads nothing, each time counted as progress, and could keep
    // that client for ever.
    int send_flags() const noexcept;

    // With the timeout on: waits up to one check period for `events` (POLLIN, POLLOUT) on the
    // socket. POLLOUT comes only once the buffer has real room, the readiness the event-loop
    // backends wait for. Returns the events that came (error and hang-up included); 0 when
    // the period passed, or with the timeout off.
    short wait_ready(int fd, short events) const noexcept;

private:
    std::chrono::nanoseconds timeout_;
    idle_clock::time_point since_{};  // the last progress
};

}  // namespace robotbench
