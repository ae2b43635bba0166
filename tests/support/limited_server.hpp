#pragma once
// A `robotbench serve` started under resource limits (prlimit) with its stderr kept apart from
// its stdout, for tests of what a server does when its limits leave it little or no room: how it
// refuses to start, how it says so, and whether it ever spins.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/child_process.hpp"

namespace robotbench::test {

// The prlimit(1) the tests use, or empty when the machine has none (the tests then skip).
std::string prlimit_exe();

// One start of `PREFIX... robotbench serve --backend=NAME --port=0 EXTRA...`, where PREFIX is a
// program that sets limits and execs the rest (prlimit, or the failing-accept wrapper). Waits up
// to 5 s for the listening line or for the process to end. Killed on destruction if running.
class limited_server {
public:
    limited_server(const std::vector<std::string>& prefix, const std::string& backend,
                   const std::vector<std::string>& extra = {});
    ~limited_server();
    limited_server(const limited_server&) = delete;
    limited_server& operator=(const limited_server&) = delete;

    // The port of its `listening on` line, or 0 when it never printed one.
    std::uint16_t port() const noexcept { return port_; }
    pid_t pid() const noexcept { return child_.pid(); }
    child_process& process() noexcept { return child_; }

    // What it printed on stdout: the listening line, or everything when it never listened.
    const std::vector<std::string>& stdout_lines() const noexcept { return stdout_; }
    // What it has printed on stderr so far.
    std::vector<std::string> stderr_lines() const;
    // What it has printed on stderr once that is at least `count` lines, or after `timeout`.
    std::vector<std::string> await_stderr_lines(
        std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
    // Its exit status once it has ended (waits up to `timeout`); nullopt while still running.
    std::optional<int> exit_status(std::chrono::milliseconds timeout = std::chrono::seconds(5));

private:
    std::filesystem::path stderr_path_;
    child_process child_;
    std::uint16_t port_ = 0;
    std::vector<std::string> stdout_;
};

// CPU time (user + sys) that `pid` and every live process below it have used so far, in
// seconds; what a process that spins burns by the second, as far as the machine lets it.
double tree_cpu_seconds(pid_t pid);

// The time each thread of `pid` and of every live process below it has been runnable so far (on
// a CPU, or waiting in a run queue for one), in seconds by thread id, from
// /proc/PID/task/TID/schedstat; empty where the kernel does not keep it. A thread that spins is
// runnable all the time, however busy the machine is, where its CPU time shrinks with the share
// it gets.
std::map<pid_t, double> tree_runnable_seconds(pid_t pid);

// The most any one thread was runnable between two tree_runnable_seconds() samples (a thread
// new since `before` counts from its start); nullopt when they are empty.
std::optional<double> most_runnable_thread(const std::map<pid_t, double>& before,
                                           const std::map<pid_t, double>& after);

}  // namespace robotbench::test
