#pragma once
// One client served by a readiness-based backend (select, poll, epoll, a blocking child): moves
// bytes between a non-blocking socket and the protocol session.

#include <chrono>
#include <span>

#include "presence.hpp"
#include "protocol/session.hpp"
#include "system/unique_fd.hpp"

namespace robotbench {

// What a connection waits for next, and whether its last turn was progress for the idle
// timeout (see idle_list.hpp).
struct interest {
    bool read = false;
    bool write = false;
    bool close = false;     // finished or failed: close it now
    bool progress = false;  // a complete request line arrived or reply bytes left
};

// Per-thread read buffer: one large read serves many pipelined requests, and no connection
// keeps a read buffer of its own while idle.
inline constexpr std::size_t read_chunk = 64 * 1024;

// A client socket and its session. Owned and driven by one thread at a time.
class connection {
public:
    connection(unique_fd fd, const protocol::session_limits& limits) : fd_(std::move(fd)), session_(limits) {}

    // Handles readiness: reads one chunk into `scratch` if the session wants input, answers it,
    // and writes as much pending output as the socket takes. Returns what to wait for next.
    interest on_ready(bool readable, std::span<char> scratch, const presence& online);

    // What to wait for without doing any I/O.
    interest current() const;

    // Replies the client has not taken yet are waiting (in the session, not the socket).
    bool replies_pending() const { return !session_.output().empty(); }

    int fd() const noexcept { return fd_.get(); }

    // Gives the socket up for closing.
    unique_fd release_fd() noexcept { return std::move(fd_); }

private:
    bool read_once(std::span<char> scratch, const presence& online, bool& progress);
    bool flush(bool& progress);

    unique_fd fd_;
    protocol::session session_;
    bool failed_ = false;
};

// Serves the client on its blocking socket (made non-blocking with `idle_timeout` on) until the session has finished, the socket failed,
// or, with `idle_timeout` above zero, the client made no progress for that long; then closes it
// gracefully, telling an idle client why. For a process or thread that serves one client at a
// time (fork, prefork).
void serve_blocking(connection& conn, std::span<char> scratch, const presence& online,
                    std::chrono::nanoseconds idle_timeout);

}  // namespace robotbench
