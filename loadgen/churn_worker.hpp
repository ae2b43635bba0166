#pragma once
// One generator thread of run_churn: opens connections at its share of the connect rate, sends
// each one K requests pipelined in one write, checks the K replies, and closes it with FIN.

#include <cstdint>
#include <optional>
#include <vector>

#include "client_socket.hpp"
#include "connection.hpp"
#include "poller.hpp"
#include "schedule.hpp"
#include "worker.hpp"

namespace robotbench::loadgen {

// The churn run every worker shares. Immutable once the threads start.
struct churn_plan {
    churn_config config;
    resolved_endpoint target;
    unsigned threads = 1;
};

class churn_worker final : public worker {
  public:
    // Thread `index` of plan.threads keeps at most its share of config.load.connections open at
    // once; connects due while all are busy wait, and the wait shows as lag.
    churn_worker(const churn_plan& plan, unsigned index);
    void run(start_line& line) override;

  private:
    // Starts counting at the first loop pass at or after the end of the warm-up.
    void open_window(std::int64_t now) noexcept;
    // Starts the connects that are due, as far as idle slots allow.
    void start_due(std::int64_t now);
    // Opens a connection in an idle slot for the connect due at due_ns.
    void open_slot(std::size_t slot, std::int64_t due_ns, std::int64_t now);
    // One poller event for slot event.data.u32: connect completion, replies, send room.
    void handle(const epoll_event& event);
    // A connection is established: records its connect latency and sends its K requests.
    void on_connected(std::size_t slot, std::int64_t now);
    // Reads and judges replies; closes the connection after the K-th or on close/reset.
    void on_readable(std::size_t slot);
    // Counts and records one judged reply received at received_ns.
    void on_reply(const reply_verdict& verdict, std::int64_t received_ns);
    // Sends the slot's buffer; a hard error counts as reset and frees the slot.
    void flush(std::size_t slot);
    // Closes the slot's connection (FIN) and makes the slot idle.
    void release(std::size_t slot);
    // Abandons connections whose oldest request (or connect) is older than the timeout.
    void sweep_timeouts(std::int64_t now);
    // When the loop must wake up at the latest.
    std::int64_t next_deadline(std::int64_t now) const;
    // Slots with a connection open or opening.
    std::size_t busy() const noexcept { return slots_.size() - free_.size(); }

    const churn_plan& plan_;
    unsigned index_;
    std::vector<client_connection> slots_;
    std::vector<unsigned> free_;  // idle slots
    std::uint32_t next_id_;       // connection ids: index, index + threads, ...
    poller poller_;
    std::vector<char> scratch_;  // one 64 KiB read buffer for all connections
    run_timeline timeline_;
    bool counting_ = false;  // this loop pass lies in the measured window
    std::optional<open_schedule> schedule_;
    std::optional<schedule_cursor> cursor_;
    std::uint64_t started_ = 0;  // connects started (schedule positions used)
    std::uint64_t due_ = 0;      // connects due so far
    lag_tracker lag_;
    std::int64_t next_publish_ = never;
    std::int64_t next_sweep_ = never;
};

}  // namespace robotbench::loadgen
