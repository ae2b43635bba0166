#pragma once
// What the load and churn generator threads share: client connections on one epoll set, the
// connect / reply / send-room state machine, reply counting, timeouts, the measured window and
// the periodic progress snapshots. Subclasses decide when connections open and what follows.

#include <cstdint>
#include <optional>
#include <vector>

#include "client_socket.hpp"
#include "connection.hpp"
#include "latency_batch.hpp"
#include "poller.hpp"
#include "schedule.hpp"
#include "worker.hpp"

namespace robotbench::loadgen {

// The run every worker of one kind shares: what to do, where, on how many threads. Immutable
// once the threads start.
template <class Config>
struct worker_plan {
    Config config;
    resolved_endpoint target;
    unsigned threads = 1;
};

class connection_worker : public worker {
  protected:
    // Why a connection is given up: its connect failed, or it was lost once established
    // (closed, reset, a broken reply stream, a timeout).
    enum class loss { connect_failed, lost };

    // `config` and `target` belong to the caller's plan, which outlives the worker.
    // `record_service`: requests follow a send schedule, so the time from the actual send is
    // recorded too. Throws std::system_error.
    connection_worker(const load_config& config, const resolved_endpoint& target,
                      bool record_service);

    // Waits at the start line, then fixes the timeline and the first progress and timeout checks.
    void start_clock(start_line& line);
    // Starts counting at the first loop pass at or after the end of the warm-up; once counting,
    // closes the intervals that ended by `now`. Every loop pass, right after reading the clock.
    void open_window(std::int64_t now);
    // Stops counting at the first loop pass at or after the end of the measured window; the
    // interval in progress ends there.
    void close_window(std::int64_t now);
    // Records one latency of the measured window (ns) into the interval in progress.
    void record_latency(std::uint64_t ns) noexcept { latency_.add(ns); }
    // Starts connection i; false when the connect failed at once (counted as a connect error).
    bool start_connect(std::size_t i, std::int64_t now);
    // One poller event for connection event.data.u32: connect completion, replies, send room.
    void handle(const epoll_event& event);
    // Sends connection i's buffer; a hard error counts as reset and drops it.
    void flush(std::size_t i);
    // Progress snapshots and timeout checks, when they are due.
    void run_chores(std::int64_t now);
    // When the loop must wake up at the latest for the chores and the window's edges.
    std::int64_t chores_deadline(std::int64_t now) const noexcept;
    // After the window: handles events until settled() or the end of the drain.
    void drain(std::int64_t now);
    // Records lag and CPU time and publishes the final counters; the last step of run().
    void wrap_up();
    // The caller asked the run to end early (load_config::stop).
    bool stop_requested() const noexcept {
        return config_.stop != nullptr && config_.stop->load(std::memory_order_relaxed);
    }

    std::vector<client_connection> conns_;  // filled by the subclass's constructor
    poller poller_;
    run_timeline timeline_;
    bool counting_ = false;  // this loop pass lies in the measured window
    std::optional<open_schedule> schedule_;
    std::optional<schedule_cursor> cursor_;
    lag_tracker lag_;

  private:
    // Connection i is established at `now`; its connect latency is the subclass's to record.
    virtual void on_connected(std::size_t i, std::int64_t now) = 0;
    // A read of connection i ended with every available reply judged and no error.
    virtual void on_replies(std::size_t i, std::int64_t now) = 0;
    // Closes connection i, whose failure is already counted and its requests settled.
    virtual void drop(std::size_t i, std::int64_t now, loss why) = 0;
    // No reply is left to wait for.
    virtual bool settled() const noexcept = 0;

    // Reads and judges connection i's replies; drops it on close, reset or a broken stream.
    void on_readable(std::size_t i);
    // Counts and records one judged reply received at received_ns.
    void on_reply(const reply_verdict& verdict, std::int64_t received_ns);
    // Abandons connections whose oldest request (or connect) is older than the timeout.
    void sweep_timeouts(std::int64_t now);
    // Ends every interval that ended by `now` (empty ones included); the last one of the window
    // is left for close_window, which ends it with what is unanswered.
    void roll_intervals(std::int64_t now) {
        while (now >= next_roll_ && next_roll_ < timeline_.end) {
            end_interval();
            next_roll_ += config_.interval.count();
        }
    }
    // Ends the interval in progress: its counts go to stats_.intervals, its latencies into
    // stats_.latency, and the next one starts empty. Once an interval, never per request.
    void end_interval();

    const load_config& config_;
    const resolved_endpoint& target_;
    bool record_service_;
    std::vector<char> scratch_;  // one 64 KiB read buffer for all connections
    // The interval in progress: its latencies, when it ends, and the counters at its start.
    histogram interval_latency_;
    // interval_latency_ and stats_.service, recorded a run of equal values at a time; flushed at
    // the end of every read, so the histograms are complete whenever anything else looks at them.
    latency_batch latency_{interval_latency_};
    latency_batch service_{stats_.service};
    std::int64_t next_publish_ = never;
    std::int64_t next_sweep_ = never;
    std::int64_t next_roll_ = never;
    std::uint64_t requests_at_roll_ = 0;
    std::uint64_t errors_at_roll_ = 0;
};

// Time from `from` to `to` in ns, 0 when the clock did not move forward.
inline std::uint64_t elapsed(std::int64_t from, std::int64_t to) noexcept {
    return to > from ? std::uint64_t(to - from) : 0;
}

}  // namespace robotbench::loadgen
