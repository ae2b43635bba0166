#pragma once
// One generator thread of run_churn: opens connections at its share of the connect rate, sends
// each one K requests pipelined in one write, checks the K replies, and closes it with FIN.

#include <cstdint>
#include <vector>

#include "client_socket.hpp"
#include "connection_worker.hpp"

namespace robotbench::loadgen {

using churn_plan = worker_plan<churn_config>;

class churn_worker final : public connection_worker {
  public:
    // Thread `index` of plan.threads keeps at most its share of config.load.connections open at
    // once; connects due while all are busy wait, and the wait shows as lag.
    churn_worker(const churn_plan& plan, unsigned index);
    void run(start_line& line) override;

  private:
    // Starts the connects that are due, as far as idle slots allow.
    void start_due(std::int64_t now);
    // Opens a connection in an idle slot for the connect due at due_ns.
    void open_slot(std::size_t slot, std::int64_t due_ns, std::int64_t now);
    // A connection is established: records its connect latency and sends its K requests.
    void on_connected(std::size_t slot, std::int64_t now) override;
    // Replies were read: after the K-th, closes the connection with FIN.
    void on_replies(std::size_t slot, std::int64_t now) override;
    // A connection lost or never established frees its slot, as release() does.
    void drop(std::size_t slot, std::int64_t now, loss why) override;
    // Every slot is idle.
    bool settled() const noexcept override { return busy() == 0; }
    // Closes the slot's connection (FIN) and makes the slot idle.
    void release(std::size_t slot);
    // When the loop must wake up at the latest.
    std::int64_t next_deadline(std::int64_t now) const;
    // Slots with a connection open or opening.
    std::size_t busy() const noexcept { return conns_.size() - free_.size(); }

    const churn_plan& plan_;
    unsigned index_;
    std::vector<unsigned> free_;  // idle slots (indexes into conns_)
    std::uint32_t next_id_;       // connection ids: index, index + threads, ...
    std::uint64_t started_ = 0;   // connects started (schedule positions used)
    std::uint64_t due_ = 0;       // connects due so far
};

}  // namespace robotbench::loadgen
