#pragma once
// Reading what Linux says about a process in /proc: CPU times, threads, context switches and
// memory, and the tree of its descendants. The parsers are pure, for tests.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace robotbench {

// From /proc/PID/stat, in clock ticks (sysconf(_SC_CLK_TCK)).
struct proc_stat {
    std::uint64_t utime = 0;
    std::uint64_t stime = 0;
    std::uint64_t cutime = 0;  // of the children it reaped (and theirs)
    std::uint64_t cstime = 0;
    unsigned threads = 0;
};

// From /proc/PID/status.
struct proc_status {
    std::uint64_t voluntary_switches = 0;
    std::uint64_t involuntary_switches = 0;
    std::uint64_t rss_kib = 0;
};

// Parses the text of /proc/PID/stat (the command name may hold spaces and parentheses).
std::optional<proc_stat> parse_proc_stat(std::string_view text);

// Parses the text of /proc/PID/status; missing fields read 0.
proc_status parse_proc_status(std::string_view text);

// The time a thread has spent on a CPU in nanoseconds: the first field of
// /proc/PID/task/TID/schedstat (the kernel's exact sum, where stat's clock ticks round each thread
// down to a whole tick). nullopt when the text does not start with a number. Pure.
std::optional<std::uint64_t> parse_schedstat_ns(std::string_view text);

// The `Pss:` line of /proc/PID/smaps_rollup, in KiB.
std::optional<std::uint64_t> parse_pss_kib(std::string_view smaps_rollup);

// The kernel memory that connections, threads and processes take, in KiB, system-wide: slab
// caches (sockets, files, task structs), kernel stacks and page tables from /proc/meminfo, plus
// the TCP socket buffers from /proc/net/sockstat (`mem`, in pages of `page_kib`). nullopt when
// meminfo has no Slab line. Pure.
std::optional<std::uint64_t> parse_kernel_memory_kib(std::string_view meminfo,
                                                     std::string_view sockstat,
                                                     std::uint64_t page_kib);

// The same, read now from /proc; nullopt when /proc/meminfo cannot be read.
std::optional<std::uint64_t> kernel_memory_kib();

// The whole of a small file, or nullopt when it cannot be read or is empty.
std::optional<std::string> read_whole_file(const std::string& path);

// The whole of a small /proc file, or nullopt when it cannot be read (the process is gone).
std::optional<std::string> read_proc_file(pid_t pid, std::string_view name);

// The thread ids of a process (/proc/PID/task); empty when it is gone.
std::vector<pid_t> process_threads(pid_t pid);

// `root` and all its descendants (through /proc/PID/task/TID/children), root first. Processes
// that end while it walks are simply missing. Empty when root is gone.
std::vector<pid_t> process_tree(pid_t root);

}  // namespace robotbench
