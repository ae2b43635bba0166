#pragma once
// Server-side socket plumbing shared by the backends: listening, accepting under descriptor
// pressure, refusing, and closing without losing the last reply.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "system/unique_fd.hpp"

namespace robotbench {

// Opens a non-blocking IPv4 TCP listener on host:port (port 0 picks a free one). Throws
// std::system_error naming the failed call.
unique_fd open_listener(const std::string& host, std::uint16_t port, bool reuse_port = false);

// The port a bound socket really listens on.
std::uint16_t local_port(int fd);

// Sets O_NONBLOCK on fd. Throws std::system_error.
void set_nonblocking(int fd);

// Disables Nagle's algorithm so small replies leave at once.
void set_nodelay(int fd) noexcept;

// Accepts clients from one listener, and never lets a loop spin on a listener it cannot empty.
// On EMFILE/ENFILE it gives up a spare descriptor to accept the waiting client and refuse it
// (`!ERR server full`). When even that fails (the spare is lost, the system's file table is
// full), or the kernel lacks memory for the new socket (ENOMEM, ENOBUFS), it pauses: the caller
// stops watching the listener until the pause ends (first_pause, doubling while the failures go
// on, up to longest_pause), then tries again. One acceptor per listener, used by one thread at
// a time.
class acceptor {
public:
    static constexpr std::chrono::milliseconds first_pause{10};
    static constexpr std::chrono::milliseconds longest_pause{500};

    // Opens the spare descriptor. Throws std::system_error when it cannot: the process is
    // already out of descriptors.
    explicit acceptor(int listen_fd, bool nonblocking_clients = true);

    // A new client (TCP_NODELAY set), or nullopt: none is waiting, one was shed for lack of
    // descriptors, or accepting failed and is paused (see paused()). EINTR is retried; errors
    // that belong to one connection (ECONNABORTED, EPROTO...) move on to the next.
    std::optional<unique_fd> accept();

    // True while accepting is paused: the caller does not watch the listener (a level-triggered
    // loop would wake at once, again and again) and does not call accept().
    bool paused() const noexcept;

    // How long the pause still lasts in milliseconds, rounded up, for a poll or epoll timeout;
    // -1 when not paused.
    int pause_left_ms() const noexcept;

private:
    void pause() noexcept;
    void progressed() noexcept;
    // EMFILE/ENFILE: takes the waiting client with the spare descriptor and refuses it; false
    // when that was not possible.
    bool shed_one() noexcept;

    int listen_fd_;
    bool nonblocking_clients_;
    unique_fd spare_;
    unsigned failures_in_a_row_ = 0;  // failed accepts since the last success or empty queue
    std::chrono::milliseconds next_pause_ = first_pause;
    std::chrono::steady_clock::time_point resume_at_{};
};

// Tells a client the server cannot take it (`!ERR server full`), then closes it.
void refuse_full(unique_fd client) noexcept;

// Closes a client that made no progress for the idle timeout: tells it why (`!ERR idle
// timeout`) unless replies it has not taken are still pending (the notice would land among
// them, possibly inside a reply line), then closes it like close_gracefully.
void close_idle(unique_fd client, bool replies_pending) noexcept;

// Closes a client so that replies already written still arrive: shuts down the write side, drops
// whatever the client sent that was not read (which would otherwise turn the close into a reset),
// then closes.
void close_gracefully(unique_fd client) noexcept;

// close_gracefully for a caller that has the client to itself (its own thread): after shutting
// down the write side it keeps dropping what the client still sends until the client closes, or
// sends nothing for 100 ms, or 2 s have passed, so that input arriving after the close cannot
// reset the connection and throw away replies the kernel has not sent yet. Blocks that long.
void close_lingering(unique_fd client) noexcept;

}  // namespace robotbench
