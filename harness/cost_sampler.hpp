#pragma once
// Measures what serving cost the server: samples its whole process tree from /proc every
// ~100 ms (CPU, memory, threads, processes, context switches), and this process's own CPU, so
// both sides can be charged for the same window.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include "run_record.hpp"

namespace robotbench {

using sample_clock = std::chrono::steady_clock;

// One look at the server's process tree and at this process. Running totals only grow.
struct cost_sample {
    sample_clock::time_point at;
    // Running sums of the increases of every thread of the tree seen alive at a sample: CPU and
    // context switches are counted the same way (see count_threads).
    double server_user_s = 0;
    double server_sys_s = 0;
    double server_voluntary = 0;
    double server_involuntary = 0;
    std::uint64_t server_memory_kib = 0;  // summed over the tree
    std::uint64_t kernel_memory_kib = 0;  // system-wide (proc_stats.hpp: kernel_memory_kib)
    unsigned server_threads = 0;
    unsigned server_processes = 0;
    double self_cpu_s = 0;  // this process, less the sampler thread's own CPU
};

// The value of a running total at `at`, interpolated linearly between the samples around it
// (clamped to the first and last). Pure.
double value_at(std::span<const cost_sample> samples, double cost_sample::*total,
                sample_clock::time_point at);

// Samples on its own thread from construction until finish(); owns that thread.
class cost_sampler {
  public:
    // Starts sampling `server`'s tree (or only this process when server <= 0) every `interval`.
    explicit cost_sampler(pid_t server,
                          std::chrono::milliseconds interval = std::chrono::milliseconds(100));
    cost_sampler(const cost_sampler&) = delete;
    cost_sampler& operator=(const cost_sampler&) = delete;
    ~cost_sampler();

    // Stops the thread and takes a last sample now. Call from the thread that constructed it,
    // before the queries below.
    void finish();

    // The server's cost over [from, to]: CPU and context switches interpolated at both ends,
    // memory, threads and processes at their peak over every sample, and memory as of the first
    // sample (taken at construction, before the generator connects).
    server_cost server_window(sample_clock::time_point from, sample_clock::time_point to) const;

    // This process's CPU over [from, to] in seconds, the sampler's own excluded.
    double self_window_cpu_s(sample_clock::time_point from, sample_clock::time_point to) const;

    std::span<const cost_sample> samples() const { return samples_; }

  private:
    // What one thread had used when last seen: CPU in clock ticks (user and system), CPU in
    // nanoseconds when schedstat was readable (exact), context switches.
    struct thread_counts {
        std::uint64_t user_ticks = 0;
        std::uint64_t sys_ticks = 0;
        std::uint64_t cpu_ns = 0;
        bool exact = false;  // cpu_ns was read
        std::uint64_t voluntary = 0;
        std::uint64_t involuntary = 0;
    };
    using thread_map = std::map<pid_t, thread_counts>;

    void loop();
    void take_sample();
    // One process's memory in KiB: PSS, or RSS when smaps_rollup cannot be read.
    std::uint64_t memory_kib(pid_t pid) const;
    // Adds the increases of `pid`'s threads' CPU and context switches since each was last seen
    // to the totals (a thread new since the previous sample counts in full); records them in
    // seen.
    void count_threads(pid_t pid, thread_map& seen);

    const pid_t server_;
    const std::chrono::milliseconds interval_;
    bool use_pss_ = true;          // decided on the first sample: smaps_rollup readable?
    thread_map last_threads_;  // as of the previous sample
    double user_s_total_ = 0;
    double sys_s_total_ = 0;
    double voluntary_total_ = 0;
    double involuntary_total_ = 0;
    double sampler_cpu_s_ = 0;          // the sampling thread's CPU, as of its last sample
    std::vector<cost_sample> samples_;  // written by the sampling thread until finish()

    std::mutex mutex_;  // guards stop_
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;  // last member: starts after everything above is ready
};

}  // namespace robotbench
