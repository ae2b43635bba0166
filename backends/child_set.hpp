#pragma once
// The child processes a forking backend started: recording them, reaping them without blocking,
// and ending every one of them, so none is left behind or left a zombie.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <unordered_set>

namespace robotbench {

// Owns forked child processes. Destruction ends the ones still running (SIGTERM, a short grace,
// then SIGKILL) and reaps them all. Used only by the thread that forks them.
class child_set {
public:
    // Called on the owner's thread once for every child of this set that was reaped, with its
    // pid and wait status.
    using exit_handler = std::function<void(pid_t, int)>;

    explicit child_set(exit_handler on_exit);
    ~child_set();
    child_set(const child_set&) = delete;
    child_set& operator=(const child_set&) = delete;

    // Takes ownership of a running child. If it cannot be recorded, the child is killed and
    // reaped, and the exception propagates.
    void add(pid_t pid);

    // Reaps every child of this process that has exited, without waiting (waitpid(-1)); only
    // children of this set are reported to the exit handler.
    void reap();

    // Sends SIGTERM to every child, waits up to `grace` for them to exit, sends SIGKILL to the
    // rest, and returns once all of them are reaped.
    void stop_all(std::chrono::milliseconds grace);

    // Children running or exited but not reaped yet.
    std::size_t size() const noexcept { return pids_.size(); }

private:
    void reaped(pid_t pid, int status);

    exit_handler on_exit_;
    std::unordered_set<pid_t> pids_;
};

}  // namespace robotbench
