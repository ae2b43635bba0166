#pragma once
// What every generator thread has in common: its own results (merged after join), a progress
// snapshot it publishes about once a second, and the start line all threads wait at.

#include <atomic>
#include <barrier>
#include <cstdint>
#include <mutex>

#include "clock.hpp"
#include "histogram.hpp"
#include "load.hpp"

namespace robotbench::loadgen {

// The phases of a run on the steady clock, fixed when every thread is ready.
struct run_timeline {
    std::int64_t start = 0;      // warm-up begins
    std::int64_t warm_end = 0;   // the measured window begins
    std::int64_t end = 0;        // the measured window ends; no new requests from here
    std::int64_t drain_end = 0;  // replies still awaited after this are timeouts

    run_timeline() = default;
    // With a request count the window has no fixed end: `end` and `drain_end` are never until
    // the worker knows them (open loop: from the schedule).
    run_timeline(std::int64_t start_ns, const load_config& config)
        : start(start_ns),
          warm_end(start_ns + config.warmup.count()),
          end(config.requests > 0 ? never : warm_end + config.duration.count()),
          drain_end(config.requests > 0 ? never : end + config.timeout.count()) {}
};

// What one generator thread saw in one interval of the measured window.
struct interval_record {
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    std::uint64_t open_connections = 0;  // at the interval's end
    histogram_snapshot latency;
};

// What one generator thread measured. Written only by its thread; read after join.
struct thread_stats {
    histogram latency;           // in the measured window; open loop: from the intended send
    histogram service;           // open loop only: from the actual send
    histogram connect_latency;   // connects that succeeded (churn: in the measured window)
    error_counts errors;         // the whole run
    std::uint64_t requests = 0;  // valid replies read in the measured window
    std::uint64_t unanswered = 0;  // requests of the window unanswered when it closed
    std::uint64_t unsent = 0;      // open loop: requests due in the window and never sent
    std::uint64_t sent = 0;        // requests sent in the window (open loop: scheduled in it)
    std::uint64_t replies = 0;   // valid replies over the whole run
    std::uint64_t connects = 0;  // connections established (churn: in the measured window)
    std::int64_t max_lag_ns = 0;
    std::int64_t window_start_ns = never; // when the window is due to open (the same for all)
    std::int64_t window_open_ns = never;  // the first loop pass at or after the window's start
    std::int64_t window_close_ns = 0;     // the first loop pass at or after its end
    cpu_times cpu;                        // this thread's CPU time (RUSAGE_THREAD)
    std::vector<interval_record> intervals;  // the measured window's, in order
};

// A copy of a thread's counters for the progress line: written by the thread at most once a
// second, read by the calling thread; the lock is never taken per request.
struct progress_slot {
    std::mutex lock;
    std::uint64_t replies = 0;
    std::uint64_t errors = 0;
    histogram latency;
};

// Where generator threads wait for each other once their connections are set up. Once all are
// there, the clock starts: at once (the last to arrive starts it), or, for a line that is held,
// when the calling thread releases it. Shared by the workers and the calling thread.
class start_line {
  public:
    explicit start_line(unsigned workers, bool held = false)
        : held_(held), barrier_(workers, on_complete{this}) {}

    // A worker is ready; returns the common start time once all are (and the line released).
    std::int64_t arrive_and_wait() {
        barrier_.arrive_and_wait();
        return wait_for_start();
    }
    // A worker failed and will not arrive.
    void drop() { barrier_.arrive_and_drop(); }
    // The calling thread of a held line waits for every worker to arrive or drop out.
    void wait_until_ready() const { ready_.wait(false, std::memory_order_acquire); }
    // The calling thread of a held line starts the clock.
    void release() noexcept { start(); }
    // The calling thread waits for the start time.
    std::int64_t wait_for_start() const {
        start_ns_.wait(0, std::memory_order_acquire);
        return start_ns_.load(std::memory_order_acquire);
    }

  private:
    void start() noexcept {
        if (start_ns_.load(std::memory_order_relaxed) != 0) return;
        start_ns_.store(now_ns(), std::memory_order_release);
        start_ns_.notify_all();
    }
    struct on_complete {
        start_line* self;
        void operator()() noexcept {
            if (!self->held_) return self->start();
            self->ready_.store(true, std::memory_order_release);
            self->ready_.notify_all();
        }
    };
    const bool held_;
    std::atomic<bool> ready_{false};
    std::atomic<std::int64_t> start_ns_{0};
    std::barrier<on_complete> barrier_;
};

// A generator thread's work. Constructed by the calling thread (so setup errors throw there),
// run on its own thread, read again after join.
class worker {
  public:
    virtual ~worker() = default;
    // The whole run on the worker's thread: connect, wait at the start line, load, drain.
    virtual void run(start_line& line) = 0;

    thread_stats& stats() noexcept { return stats_; }
    progress_slot& slot() noexcept { return slot_; }
    // Whether run() reached the start line (a worker that failed before must drop out of it).
    bool arrived() const noexcept { return arrived_.load(); }

  protected:
    // Waits at the start line; returns the common start time. The worker's thread, once.
    std::int64_t wait_at(start_line& line) {
        arrived_ = true;
        return line.arrive_and_wait();
    }
    // Scheduling for a generator thread; call first thing in run(), on the worker's thread:
    // - a 1 µs timer slack, so scheduled sends less than a millisecond apart leave on time;
    // - for closed loop (`batch`), SCHED_BATCH, so a thread woken by a reply does not preempt the
    //   server it measures on a machine where both share the cores: that preemption doubles the
    //   context switches, which in a VM cost more than the requests themselves. A batch thread
    //   still runs at once on an idle core, and its timestamps are taken when it runs, so no
    //   latency is hidden. Runs with a send schedule keep the normal policy, so that a timer
    //   wake-up is not held back behind other work.
    static void tune_thread(bool batch) noexcept;
    // Copies the counters into the progress slot, with the latencies of the interval in progress
    // (`pending`, not yet in stats_.latency). The worker's thread, about once a second.
    void publish(const histogram* pending = nullptr);
    // Stores this thread's CPU time into stats_. The worker's thread, at the end of run().
    void record_cpu() noexcept;

    thread_stats stats_;
    progress_slot slot_;

  private:
    std::atomic<bool> arrived_{false};
};

}  // namespace robotbench::loadgen
