#pragma once
// A blocking test client over a real TCP socket, with timeouts so a broken server fails the
// test instead of hanging it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "system/unique_fd.hpp"

namespace robotbench::test {

using namespace std::chrono_literals;

// One connection to 127.0.0.1:port. Every read waits at most the timeout given.
class client {
public:
    // Connects (blocking). connected() tells whether it worked.
    explicit client(std::uint16_t port);

    bool connected() const noexcept { return static_cast<bool>(fd_); }
    int fd() const noexcept { return fd_.get(); }

    // Writes all of `bytes`; false on error.
    bool send(std::string_view bytes);
    // Sends `line` + LF and returns the reply line (without LF), or nullopt.
    std::optional<std::string> ask(std::string_view line, std::chrono::milliseconds timeout = 5s);
    // One reply line (without LF), or nullopt on EOF, error or timeout.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout = 5s);
    // Reads until the server closes (true) or the timeout passes (false); appends to `out`.
    bool read_to_eof(std::string& out, std::chrono::milliseconds timeout = 5s);
    // Reads exactly n bytes (or fewer on EOF/timeout).
    std::string read_bytes(std::size_t n, std::chrono::milliseconds timeout = 5s);

    // Closes with FIN.
    void close() { fd_.reset(); }
    // Closes with RST (SO_LINGER 0).
    void reset();
    // Half-closes: no more bytes from us; the server may still answer.
    void shutdown_write();
    // Disables Nagle's algorithm, so each small send leaves as its own segment.
    void set_nodelay();
    // Sends `bytes` one byte per send(2), pausing `gap` between bytes; false on error.
    bool send_bytewise(std::string_view bytes, std::chrono::microseconds gap = 0us);

private:
    bool fill(std::chrono::milliseconds timeout);

    unique_fd fd_;
    std::string buffered_;
};

// Asks `/online` on a fresh connection until it reports `expected` or 3 s pass; returns the
// last count seen (so a test can EXPECT_EQ it against `expected`). The asker is included: with
// no other clients the answer is 1.
std::int64_t online_eventually(std::uint16_t port, std::int64_t expected);

}  // namespace robotbench::test
