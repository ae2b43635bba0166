#pragma once
// Client sockets for the presence scenario: non-blocking connections to the server under test
// that read reply lines, with every wait bounded by a deadline.

#include <sys/socket.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "load.hpp"
#include "system/unique_fd.hpp"

namespace robotbench::loadgen::presence_detail {

using clock = std::chrono::steady_clock;

// The resolved address of the server under test.
struct address {
    sockaddr_storage storage{};
    socklen_t length = 0;
};

// Resolves target (numeric or by name). Throws std::runtime_error with a one-line reason.
address resolve(const endpoint& target);

// What one read attempt found.
enum class io_status {
    ok,      // bytes were read
    again,   // nothing to read now
    closed,  // the server closed its side (EOF)
    failed,  // a reset or another error; error() says which
};

// One non-blocking client connection and the reply bytes read from it that do not yet form a
// complete line. Owned and used by one thread.
class line_socket {
  public:
    line_socket() = default;

    // Starts a non-blocking connect. False (and error() set) if it failed at once; otherwise
    // connecting() tells whether the connection is still being established.
    bool start_connect(const address& to);
    bool connecting() const noexcept { return connecting_; }
    // After the socket became writable: true once the connection is established, false (and
    // error() set) if it failed.
    bool finish_connect();

    // Sends a short message whole; false (and error() set) on error or a full socket buffer.
    bool send_all(std::string_view bytes);

    // Reads what is available without waiting.
    io_status receive();
    // The next complete line read so far, without its LF.
    std::optional<std::string> next_line();

    // Closes with FIN.
    void close() noexcept { fd_.reset(); }
    // Closes with RST (SO_LINGER 0).
    void close_with_reset() noexcept;
    // Half-closes: no more bytes from this side; the server may still answer.
    void shutdown_write() noexcept;

    int fd() const noexcept { return fd_.get(); }
    bool is_open() const noexcept { return static_cast<bool>(fd_); }
    int error() const noexcept { return error_; }

  private:
    unique_fd fd_;
    std::string input_;  // bytes read past the last complete line
    int error_ = 0;      // errno of the last failure
    bool connecting_ = false;
};

// The text of an errno value, for failure details.
std::string error_text(int error);

// Milliseconds from now until `deadline` for poll(2): 0 when passed, rounded up, capped.
int poll_timeout(clock::time_point deadline);

// A reply line made safe for a one-line detail: control bytes escaped, long lines cut.
std::string printable(std::string_view line);

// Milliseconds with two decimals, for failure details.
std::string format_ms(std::chrono::nanoseconds d);

}  // namespace robotbench::loadgen::presence_detail
