#pragma once
// What a forking backend does on each side of fork(2): the parent learns of exited children
// through a signalfd; a new child ties its life to the parent's.

#include <sys/types.h>

#include "system/unique_fd.hpp"

namespace robotbench {

// A non-blocking signalfd that is readable while an exited child waits to be reaped. Blocks
// SIGCHLD in the calling thread (`robotbench serve` blocks it in every thread already). Called
// by the thread that forks. Throws std::system_error.
unique_fd open_child_exits();

// Empties the signalfd. Signals coalesce, so the exits themselves are found with waitpid.
void drain_child_exits(int signal_fd) noexcept;

// In a new child, first thing: dies with the parent (also if the parent died already) and
// takes default signal handling with nothing blocked, so the parent's SIGTERM ends it. SIGPIPE
// stays ignored: a client gone away is an error to handle, not a crash. Async-signal-safe.
void detach_from_parent(pid_t parent) noexcept;

// In a new child: points stdin and stdout at /dev/null, so that no child holds the pipe a
// harness reads the server's stdout from. Async-signal-safe.
void silence_stdin_stdout() noexcept;

}  // namespace robotbench
