#pragma once
// One client served by a readiness-based backend (select, poll, epoll, a blocking child): moves
// bytes between a non-blocking socket and the protocol session.

#include <span>

#include "presence.hpp"
#include "protocol/session.hpp"
#include "protocol/unique_fd.hpp"

namespace robotbench {

// What a connection waits for next.
struct interest {
    bool read = false;
    bool write = false;
    bool close = false;  // finished or failed: close it now
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

    int fd() const noexcept { return fd_.get(); }

    // Gives the socket up for closing.
    unique_fd release_fd() noexcept { return std::move(fd_); }

private:
    bool read_once(std::span<char> scratch, const presence& online);
    bool flush();

    unique_fd fd_;
    protocol::session session_;
    bool failed_ = false;
};

}  // namespace robotbench
