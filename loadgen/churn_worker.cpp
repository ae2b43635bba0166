// The per-thread loop of run_churn.

#include "churn_worker.hpp"

#include <algorithm>

namespace robotbench::loadgen {

churn_worker::churn_worker(const churn_plan& plan, unsigned index)
    : connection_worker(plan.config.load, plan.target, /*record_service=*/false),
      plan_(plan),
      index_(index),
      next_id_(index) {
    const unsigned total = plan.config.load.connections;
    const unsigned share = total / plan.threads + (index < total % plan.threads ? 1 : 0);
    const std::size_t k = std::max(1u, plan.config.requests_per_connection);
    conns_.reserve(share);
    for (unsigned s = 0; s < share; ++s) {
        conns_.emplace_back(0, plan.config.load.size, k);
        free_.push_back(share - 1 - s);
    }
}

void churn_worker::run(start_line& line) {
    tune_thread(/*batch=*/false);  // connects follow a schedule
    start_clock(line);
    schedule_.emplace(plan_.config.connect_rate, plan_.threads, timeline_.start);
    cursor_.emplace(*schedule_, std::vector<unsigned>{index_});
    std::int64_t now = now_ns();
    for (;;) {
        open_window(now);
        start_due(now);
        run_chores(now);
        const auto events = poller_.wait_until(next_deadline(now));
        now = now_ns();
        if (now >= timeline_.end || stop_requested()) {
            // Drain: no new connects; the connections already open finish, at most the timeout.
            close_window(now);
            for (const auto& event : events) handle(event);  // edge-triggered: not reported again
            break;
        }
        open_window(now);
        for (const auto& event : events) handle(event);
    }
    // Interrupted, what is still open was not given its time: closed without counting errors.
    const bool interrupted = stop_requested();
    if (!interrupted) drain(now);
    for (auto& c : conns_) {
        if (c.state() == conn_state::idle) continue;
        if (interrupted) {
            c.validator().clear();
        } else {
            if (c.state() == conn_state::connecting) ++stats_.errors.connect;
            c.validator().abandon_timed_out(stats_.errors);
        }
        c.close();
    }
    wrap_up();
}

void churn_worker::start_due(std::int64_t now) {
    while (cursor_->next_due() <= now && cursor_->next_due() < timeline_.end) {
        ++due_;
        cursor_->advance();
    }
    while (started_ < due_ && !free_.empty()) {
        const unsigned slot = free_.back();
        free_.pop_back();
        open_slot(slot, schedule_->due(index_, started_++), now);
    }
}

void churn_worker::open_slot(std::size_t slot, std::int64_t due_ns, std::int64_t now) {
    if (due_ns >= timeline_.warm_end) lag_.on_send(due_ns, now);
    conns_[slot].set_id(next_id_);
    next_id_ += plan_.threads;
    if (!start_connect(slot, now)) free_.push_back(unsigned(slot));
}

void churn_worker::on_connected(std::size_t slot, std::int64_t now) {
    client_connection& c = conns_[slot];
    if (counting_) {
        stats_.connect_latency.record(elapsed(c.connect_started_ns(), now));
        ++stats_.connects;
    }
    if (plan_.config.requests_per_connection == 0) {
        release(slot);
        return;
    }
    c.enqueue(plan_.config.requests_per_connection, now, now);
    flush(slot);
}

void churn_worker::on_replies(std::size_t slot, std::int64_t /*now*/) {
    if (conns_[slot].validator().in_flight_count() == 0) release(slot);  // all K answered: FIN
}

void churn_worker::drop(std::size_t slot, std::int64_t /*now*/, loss /*why*/) {
    release(slot);
}

void churn_worker::release(std::size_t slot) {
    conns_[slot].close();
    free_.push_back(unsigned(slot));
}

std::int64_t churn_worker::next_deadline(std::int64_t now) const {
    std::int64_t deadline = chores_deadline(now);
    // While every slot is busy, a due connect waits for a release, not for the clock.
    if (!free_.empty() || started_ == due_) deadline = std::min(deadline, cursor_->next_due());
    return deadline;
}

}  // namespace robotbench::loadgen
