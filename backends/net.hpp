#pragma once
// Server-side socket plumbing shared by the backends: listening, accepting under descriptor
// pressure, refusing, and closing without losing the last reply.

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/unique_fd.hpp"

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

// Accepts clients from one listener. On EMFILE/ENFILE it gives up a spare descriptor to accept
// the waiting client and close it at once, so a level-triggered accept loop never spins.
// One acceptor per listener, used by one thread at a time.
class acceptor {
public:
    explicit acceptor(int listen_fd, bool nonblocking_clients = true);

    // A new client (TCP_NODELAY set), or nullopt when none is waiting or one had to be shed
    // for lack of descriptors. EINTR and ECONNABORTED are retried.
    std::optional<unique_fd> accept();

    // Clients shed because the process was out of descriptors.
    std::uint64_t shed() const noexcept { return shed_; }

private:
    int listen_fd_;
    bool nonblocking_clients_;
    unique_fd spare_;
    std::uint64_t shed_ = 0;
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

}  // namespace robotbench
