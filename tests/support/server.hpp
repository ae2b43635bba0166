#pragma once
// A real `robotbench serve` (or fake server) process on port 0, for integration tests.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/child_process.hpp"

namespace robotbench::test {

// Starts `exe serve --backend=NAME --port 0 --quiet EXTRA...` (or any program that prints
// `listening on HOST:PORT` first) and reads the port. Fails the test (ADD_FAILURE) and leaves
// port() 0 when the line does not come within 5 s. Killed on destruction if still running.
class server_process {
public:
    server_process(const std::string& backend, const std::vector<std::string>& extra = {});
    // Starts an arbitrary argv that prints the listening line.
    explicit server_process(const std::vector<std::string>& argv);

    std::uint16_t port() const noexcept { return port_; }
    pid_t pid() const noexcept { return child_.pid(); }
    child_process& process() noexcept { return child_; }

    // Sends SIGTERM and waits up to `timeout`; returns the exit status or -1 if still running.
    int terminate(std::chrono::milliseconds timeout = std::chrono::seconds(5));

private:
    child_process child_;
    std::uint16_t port_ = 0;
};

// Why `backend` cannot run in this build or on this machine, as `robotbench list` says; empty
// when it can. Tests of a backend skip with this reason rather than fail.
std::string backend_unavailable(const std::string& backend);

// A backend name as a test name, which allows letters, digits and '_' only:
// thread-per-client becomes thread_per_client.
std::string backend_test_name(std::string backend);

// The robotbench executable under test.
std::string robotbench_exe();

// A number field of /proc/PID/status ("VmRSS:", "Threads:", "VmSize:" in KiB), or 0 if the
// field or the process is gone.
std::size_t status_field(pid_t pid, const std::string& field);

// Resident memory of one process in KiB (VmRSS), or 0 if it is gone.
std::size_t rss_kib(pid_t pid);

// Threads of a process (what `ps -T` shows), or 0 if it is gone.
std::size_t thread_count(pid_t pid);

// Pids of the direct children of `pid`.
std::vector<pid_t> child_pids(pid_t pid);

// Pids of every process below `pid` (children, their children, ...), found by scanning /proc.
std::vector<pid_t> descendant_pids(pid_t pid);

// Resident memory of `pid` and all its descendants in KiB: the whole server, also when it forks.
std::size_t tree_rss_kib(pid_t pid);

// True while `pid` exists and has not exited (a zombie has exited).
bool process_running(pid_t pid);

// Raises this process's descriptor limit to its hard limit (for tests with many clients).
void raise_fd_limit();

}  // namespace robotbench::test
