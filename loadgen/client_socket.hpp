#pragma once
// Client-side socket plumbing: resolving the target once, non-blocking connects with
// TCP_NODELAY, and reads and writes that report a small status instead of throwing.

#include <sys/socket.h>

#include <cstddef>
#include <span>
#include <string>

#include "load.hpp"
#include "system/unique_fd.hpp"

namespace robotbench::loadgen {

// A target address, resolved before the run. Immutable; shared by every generator thread.
struct resolved_endpoint {
    sockaddr_storage address{};
    socklen_t length = 0;
    std::string text;  // host:port, for messages
};

// Resolves host:port (numeric or a name). Throws usage_error naming the target.
resolved_endpoint resolve(const endpoint& target);

// Looks up host:port (numeric or a name) and stores its first address: the one lookup behind
// every resolve of the load generator. Returns nullptr, or why it failed (for a message).
const char* lookup(const endpoint& target, sockaddr_storage& address, socklen_t& length);

// A connect just started: the socket, and whether it is already established (loopback often is)
// or failed at once (error != 0; then fd is empty).
struct connect_attempt {
    unique_fd fd;
    bool established = false;
    int error = 0;
};

// Opens a non-blocking TCP socket with TCP_NODELAY and starts connecting to `address`: the one
// way every client socket of the load generator (load, churn, presence) is opened. Never throws.
connect_attempt start_connect(const sockaddr_storage& address, socklen_t length) noexcept;
inline connect_attempt start_connect(const resolved_endpoint& target) noexcept {
    return start_connect(target.address, target.length);
}

// The outcome of a connect the poller reported: 0 when established, else the errno.
int finish_connect(int fd) noexcept;

enum class io_status {
    ok,      // some bytes moved
    again,   // nothing to do until the poller says so
    closed,  // the peer closed (read returned 0)
    reset,   // ECONNRESET, EPIPE or another hard error
};

struct io_result {
    io_status status;
    std::size_t bytes = 0;
};

// One recv(2); EINTR retried. Both calls go to the kernel through syscall(2): glibc's recv and
// send are thread-cancellation points, which costs two atomic operations per call in a
// multi-threaded process, and the generator never cancels a thread.
io_result read_some(int fd, std::span<char> into) noexcept;
// One send(2) without SIGPIPE; EINTR retried.
io_result write_some(int fd, std::span<const char> bytes) noexcept;

}  // namespace robotbench::loadgen
