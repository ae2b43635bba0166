#pragma once
// A child process started from an argument vector, with its stdout on a pipe: how the harness
// starts `robotbench serve`, and how the tests start servers.

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "system/unique_fd.hpp"

namespace robotbench {

// Owns one child process: on destruction a child still running is killed (SIGKILL) and reaped,
// so none is ever left behind. The child also gets SIGKILL if this process dies. Used by one
// thread at a time.
class child_process {
public:
    // Starts argv[0] (a path) with argv; its stdout is readable with read_line(), its stderr
    // is this process's stderr. The child gets its own process group, so a terminal's Ctrl-C
    // reaches only this process, which decides when its children stop. Throws
    // std::system_error.
    explicit child_process(const std::vector<std::string>& argv);
    child_process(child_process&&) noexcept;
    child_process& operator=(child_process&&) = delete;
    child_process(const child_process&) = delete;
    ~child_process();

    pid_t pid() const noexcept { return pid_; }

    // One line of the child's stdout without its LF, waiting at most `timeout`; nullopt on EOF or
    // timeout.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);

    // Sends a signal (ignored once the child was reaped).
    void signal(int sig) noexcept;

    // Waits up to `timeout` for the child to exit; returns its wait status, or nullopt if it is
    // still running. After a successful wait, usage() holds the child's resource usage,
    // including the descendants it reaped.
    std::optional<int> wait_for(std::chrono::milliseconds timeout);

    bool running() const noexcept { return pid_ > 0 && !status_; }
    const rusage& usage() const noexcept { return usage_; }

private:
    pid_t pid_ = -1;
    unique_fd stdout_;
    std::string buffered_;
    std::optional<int> status_;
    rusage usage_{};
};

}  // namespace robotbench
