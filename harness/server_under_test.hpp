#pragma once
// The server a benchmark run measures: `robotbench serve` started as a separate child process
// (never in the generator's process), found through its `listening on` line, stopped with
// SIGTERM.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "child_process.hpp"
#include "run_record.hpp"

namespace robotbench {

// What the server is started with.
struct server_launch {
    std::string backend;
    unsigned threads = 0;      // --threads; 0: the server's default
    unsigned workers = 0;      // --workers; 0: the server's default
    std::size_t max_line = 0;  // --max-line; 0: the server's default
    std::chrono::nanoseconds idle_timeout{0};  // --idle-timeout; 0: off
    std::chrono::milliseconds start_timeout = std::chrono::seconds(5);
};

// `exited with status 1`, `was killed by signal 11 (Segmentation fault)`. Pure.
std::string describe_wait_status(int status);

// How a server's stop went.
struct server_stop {
    // Set when it was running and did not exit 0 in time after SIGTERM (an end before stop() is
    // what ended() reports).
    std::optional<std::string> problem;
    std::optional<lifetime_usage> usage;  // once it was reaped
};

// Owns one `robotbench serve` child process; a server still running when this is destroyed is
// killed (SIGKILL) and reaped. Used by one thread.
class server_under_test {
  public:
    // Starts `/proc/self/exe serve --backend=NAME --port=0 --quiet ...` and waits for its
    // listening line. Throws std::runtime_error saying why when it does not come.
    explicit server_under_test(const server_launch& launch);

    pid_t pid() const noexcept { return process_.pid(); }
    const std::string& host() const noexcept { return host_; }
    std::uint16_t port() const noexcept { return port_; }

    // nullopt while it runs; else how it ended (it should not end before stop()).
    std::optional<std::string> ended();

    // Sends SIGTERM and waits up to `timeout` for it to exit (SIGKILL after that).
    server_stop stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  private:
    child_process process_;
    std::string host_;
    std::uint16_t port_ = 0;
};

}  // namespace robotbench
