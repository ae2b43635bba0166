#include "child_set.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <thread>
#include <utility>
#include <vector>

namespace robotbench {

namespace {

// How often stop_all() looks for exited children during the grace period.
constexpr std::chrono::milliseconds reap_poll_interval{2};

// The grace a child gets when the set is destroyed without stop_all().
constexpr std::chrono::milliseconds destructor_grace{500};

// Waits for one child; returns its wait status, or -1 if it is not ours (already reaped).
int wait_blocking(pid_t pid) {
    int status = 0;
    for (;;) {
        if (::waitpid(pid, &status, 0) == pid) return status;
        if (errno != EINTR) return -1;
    }
}

}  // namespace

child_set::child_set(exit_handler on_exit) : on_exit_(std::move(on_exit)) {}

child_set::~child_set() {
    try {
        stop_all(destructor_grace);
    } catch (...) {
        // The exit handler threw: still leave no child running or unreaped.
        for (const pid_t pid : pids_) ::kill(pid, SIGKILL);
        for (const pid_t pid : pids_) wait_blocking(pid);
    }
}

void child_set::add(pid_t pid) {
    try {
        pids_.insert(pid);
    } catch (...) {
        ::kill(pid, SIGKILL);
        wait_blocking(pid);
        throw;
    }
}

void child_set::reap() {
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            reaped(pid, status);
            continue;
        }
        if (pid < 0 && errno == EINTR) continue;
        return;  // 0: the others still run; ECHILD: no children at all
    }
}

void child_set::stop_all(std::chrono::milliseconds grace) {
    for (const pid_t pid : pids_) ::kill(pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    for (;;) {
        reap();
        if (pids_.empty() || std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(reap_poll_interval);
    }
    const std::vector<pid_t> stubborn(pids_.begin(), pids_.end());
    for (const pid_t pid : stubborn) ::kill(pid, SIGKILL);
    for (const pid_t pid : stubborn) {
        const int status = wait_blocking(pid);
        if (status < 0)
            pids_.erase(pid);
        else
            reaped(pid, status);
    }
}

void child_set::reaped(pid_t pid, int status) {
    if (pids_.erase(pid) != 0) on_exit_(pid, status);
}

}  // namespace robotbench
