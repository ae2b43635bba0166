#pragma once
// The default cap on clients of the models that spend a process or a thread on each client (fork,
// thread-per-client; and the size a prefork pool may have): derived from the machine's limits on
// tasks and memory, so that a flood of connections cannot take every PID and every page of the
// machine. The computation is a pure function of the limits read once from /proc and getrlimit.

#include <cstdint>
#include <optional>
#include <string_view>

#include "backend.hpp"

namespace robotbench {

// The limits a process- or thread-per-client server runs into, as read at one moment. A limit
// that could not be read (no /proc, unlimited) is nullopt and bounds nothing.
struct machine_limits {
    std::optional<std::uint64_t> nproc;          // RLIMIT_NPROC (soft): tasks of the real user
    std::uint64_t user_tasks = 0;                // processes and threads the real user runs now
    std::optional<std::uint64_t> pid_max;        // kernel.pid_max: every task takes a PID
    std::optional<std::uint64_t> threads_max;    // kernel.threads-max: tasks system-wide
    std::uint64_t system_tasks = 0;              // processes and threads the system runs now
    std::optional<std::uint64_t> max_map_count;  // vm.max_map_count: mappings of one process
    std::uint64_t maps_in_use = 0;               // mappings this process holds now
    std::optional<std::uint64_t> mem_available_kib;  // MemAvailable of /proc/meminfo
};

// What one client costs a model, for the cap: a task, an estimate of its memory (the server's
// and the kernel's, with a safety margin) and the mappings it adds to the server's process.
struct client_cost {
    std::string_view unit;       // "process" or "thread", for the reason text
    std::uint64_t kib;           // memory estimate per client, margin included
    std::uint64_t mappings = 0;  // mappings added to the server's own process per client
};

// A child process per client (fork, and each prefork worker). docs/models.md measured 72.7 KiB
// of the server's memory and 127 KiB of the kernel's per idle client on the development VM
// (200 KiB); 512 KiB leaves a margin of 2.5x for busier clients and other kernels.
inline constexpr client_cost process_per_client{"process", 512};

// A thread per client (thread-per-client): 13.1 + 34.0 KiB measured per idle client; 128 KiB
// (2.7x, and the size of the thread's stack) leaves the margin. Each thread's stack is a
// mapping and its guard page another.
inline constexpr client_cost thread_per_client{"thread", 128, 2};

// Tasks (processes and threads) each task limit keeps free for everything else the user or the
// machine runs, so that a full server still lets an operator start a shell and stop it.
inline constexpr std::uint64_t reserved_tasks = 64;
// Mappings vm.max_map_count keeps free for the server's own libraries, heaps and stacks.
inline constexpr std::uint64_t reserved_mappings = 1024;

// The clients a model with this per-client cost can serve at once within these limits, and the
// limit that sets the number (the smallest of them). `clients` is 0 with `cannot_start` set when
// not even one fits; `clients` is 0 and `reason` empty when no limit could be read.
client_capacity client_cap(const machine_limits& limits, const client_cost& cost);

// The limits of this machine and process now: getrlimit, /proc/sys/kernel, /proc/loadavg,
// /proc/meminfo, /proc/self/maps and the real user's tasks counted over /proc/PID/status. Any
// thread; reads /proc, so it costs a scan of every process.
machine_limits read_machine_limits();

// What the process- or thread-per-client backends report as their capacity: --max-conns when
// given (it overrides), else client_cap() of this machine as a default --max-conns.
client_capacity per_client_capacity(const server_options& options, const client_cost& cost);

}  // namespace robotbench
