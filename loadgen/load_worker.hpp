#pragma once
// One generator thread of run_load: its share of the connections on one epoll set, in closed
// loop (every connection keeps `pipeline` requests in flight) or open loop (requests go out at
// the schedule's fixed times, whatever the server does).

#include <cstdint>
#include <vector>

#include "client_socket.hpp"
#include "connection_worker.hpp"

namespace robotbench::loadgen {

using load_plan = worker_plan<load_config>;

class load_worker final : public connection_worker {
  public:
    // Thread `index` of plan.threads owns the connections c with c % threads == index. Allocates
    // everything up front; throws std::system_error / usage_error.
    load_worker(const load_plan& plan, unsigned index);
    void run(start_line& line) override;

  private:
    enum class phase { connecting, running, draining };

    bool open_loop() const noexcept { return plan_.config.rate > 0; }
    // The window holds a fixed number of requests (load_config::requests) instead of a duration.
    bool counted() const noexcept { return plan_.config.requests > 0; }
    // With a request count: every request of the window was sent and settled, or (closed loop)
    // no reply came for a timeout, or (open loop) the drain after the last send is over.
    bool count_finished(std::int64_t now) noexcept;
    // Starts connection i; a connect that fails at once is counted and retried later.
    void connect(std::size_t i, std::int64_t now);
    // Connection i is established: its connect latency is recorded and, when running, it sends.
    void on_connected(std::size_t i, std::int64_t now) override;
    // Replies were read: sends more while running.
    void on_replies(std::size_t i, std::int64_t now) override;
    // Closes connection i and, unless draining, reconnects it later.
    void drop(std::size_t i, std::int64_t now, loss why) override;
    // No connection awaits a reply that may still come in order.
    bool settled() const noexcept override;
    // Closed loop: tops connection i up to `pipeline` in flight; open loop: sends what is due.
    // All of it goes out in one send.
    void send_more(std::size_t i, std::int64_t now);
    // Reconnects connection i at `when`.
    void schedule_retry(std::size_t i, std::int64_t when) noexcept;
    // Open loop: marks the sends due by now and sends them.
    void advance_schedule(std::int64_t now);
    // Everything the clock drives: progress snapshots, timeouts, reconnects, the schedule.
    void maintain(std::int64_t now);
    // Reconnects the connections whose retry time has come.
    void run_retries(std::int64_t now);
    // When the loop must wake up at the latest.
    std::int64_t next_deadline(std::int64_t now) const;
    bool any_connecting() const noexcept;
    // The window closes at `now`: records every request of the window still unanswered, and (open
    // loop) every one due and never sent, with the latency it had reached. Call while counting.
    void record_unfinished(std::int64_t now);
    // Settles what is still in flight, closes everything, records lag and CPU.
    void finish();

    const load_plan& plan_;
    std::vector<unsigned> lanes_;         // global connection number of each connection
    std::vector<std::int64_t> retry_at_;  // when an idle connection reconnects; never: not
    std::vector<std::uint64_t> due_;      // open loop: sends due so far, per connection
    std::vector<std::uint64_t> sent_;     // open loop: sends made so far, per connection
    std::vector<unsigned> owing_;         // open loop: connections with due > sent
    std::vector<char> in_owing_;
    std::vector<std::uint64_t> quota_;       // closed loop with a count: this connection's share
    std::vector<std::uint64_t> quota_sent_;  // of it, sent so far
    std::uint64_t quota_left_ = 0;           // of every connection's share, not yet sent
    std::uint64_t last_requests_ = 0;        // stats_.requests when last_progress_ns_ was taken
    std::int64_t last_progress_ns_ = 0;      // when the window last saw a valid reply
    std::size_t max_in_flight_;
    phase phase_ = phase::connecting;
    std::int64_t next_retry_ = never;
};

}  // namespace robotbench::loadgen
