#pragma once
// One generator thread of run_load: its share of the connections on one epoll set, in closed
// loop (every connection keeps `pipeline` requests in flight) or open loop (requests go out at
// the schedule's fixed times, whatever the server does).

#include <cstdint>
#include <optional>
#include <vector>

#include "client_socket.hpp"
#include "connection.hpp"
#include "poller.hpp"
#include "schedule.hpp"
#include "worker.hpp"

namespace robotbench::loadgen {

// In open loop, a connection keeps at most this many requests in flight (or `pipeline`, if
// larger); sends due beyond it wait, and the wait shows as lag.
constexpr std::size_t open_loop_max_in_flight = 4096;

// The run every load worker shares. Immutable once the threads start.
struct load_plan {
    load_config config;
    resolved_endpoint target;
    unsigned threads = 1;
};

class load_worker final : public worker {
  public:
    // Thread `index` of plan.threads owns the connections c with c % threads == index. Allocates
    // everything up front; throws std::system_error / std::invalid_argument.
    load_worker(const load_plan& plan, unsigned index);
    void run(start_line& line) override;

  private:
    enum class phase { connecting, running, draining };

    bool open_loop() const noexcept { return plan_.config.rate > 0; }
    // Starts counting at the first loop pass at or after the end of the warm-up.
    void open_window(std::int64_t now) noexcept;
    // Starts connection i; a connect that fails at once is counted and retried later.
    void connect(std::size_t i, std::int64_t now);
    // One poller event for connection event.data.u32: connect completion, replies, send room.
    void handle(const epoll_event& event);
    // Connection i is established: its connect latency is recorded and, when running, it sends.
    void on_connected(std::size_t i, std::int64_t now);
    // Reads and judges connection i's replies, then sends more or drops it on close/reset.
    void on_readable(std::size_t i);
    // Counts and records one judged reply received at received_ns.
    void on_reply(const reply_verdict& verdict, std::int64_t received_ns);
    // Closed loop: tops connection i up to `pipeline` in flight; open loop: sends what is due.
    // All of it goes out in one send.
    void send_more(std::size_t i, std::int64_t now);
    // Sends connection i's buffer; a hard error counts as reset and drops it.
    void flush(std::size_t i);
    // Closes connection i and, unless draining, reconnects it retry_after_ns later.
    void drop(std::size_t i, std::int64_t now, std::int64_t retry_after_ns);
    // Open loop: marks the sends due by now and sends them.
    void advance_schedule(std::int64_t now);
    // Everything the clock drives: progress snapshots, timeouts, reconnects, the schedule.
    void maintain(std::int64_t now);
    // Abandons connections whose oldest request (or connect) is older than the timeout.
    void sweep_timeouts(std::int64_t now);
    // Reconnects the connections whose retry time has come.
    void run_retries(std::int64_t now);
    // When the loop must wake up at the latest.
    std::int64_t next_deadline(std::int64_t now) const;
    bool any_connecting() const noexcept;
    // Requests in flight on all connections that a reply may still come for in order.
    std::size_t awaited() const noexcept;
    // Settles what is still in flight, closes everything, records lag and CPU.
    void finish();

    const load_plan& plan_;
    std::vector<unsigned> lanes_;  // global connection number of each connection
    std::vector<client_connection> conns_;
    std::vector<std::int64_t> retry_at_;  // when an idle connection reconnects; never: not
    std::vector<std::uint64_t> due_;      // open loop: sends due so far, per connection
    std::vector<std::uint64_t> sent_;     // open loop: sends made so far, per connection
    std::vector<unsigned> owing_;         // open loop: connections with due > sent
    std::vector<char> in_owing_;
    std::size_t max_in_flight_;
    poller poller_;
    std::vector<char> scratch_;  // one 64 KiB read buffer for all connections
    phase phase_ = phase::connecting;
    run_timeline timeline_;
    bool counting_ = false;  // this loop pass lies in the measured window
    std::optional<open_schedule> schedule_;
    std::optional<schedule_cursor> cursor_;
    lag_tracker lag_;
    std::int64_t next_publish_ = never;
    std::int64_t next_sweep_ = never;
    std::int64_t next_retry_ = never;
};

}  // namespace robotbench::loadgen
