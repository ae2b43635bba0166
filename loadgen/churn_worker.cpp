// The per-thread loop of run_churn.

#include "churn_worker.hpp"

#include <algorithm>

namespace robotbench::loadgen {

namespace {

constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t sweep_every_ns = 50 * ms;
constexpr std::int64_t publish_every_ns = 1000 * ms;

std::uint64_t elapsed(std::int64_t from, std::int64_t to) {
    return to > from ? std::uint64_t(to - from) : 0;
}

}  // namespace

churn_worker::churn_worker(const churn_plan& plan, unsigned index)
    : plan_(plan), index_(index), next_id_(index), scratch_(read_chunk) {
    const unsigned total = plan.config.load.connections;
    const unsigned share = total / plan.threads + (index < total % plan.threads ? 1 : 0);
    const std::size_t k = std::max(1u, plan.config.requests_per_connection);
    slots_.reserve(share);
    for (unsigned s = 0; s < share; ++s) {
        slots_.emplace_back(0, plan.config.load.size, k);
        free_.push_back(share - 1 - s);
    }
}

void churn_worker::run(start_line& line) {
    tune_thread(/*batch=*/false);  // connects follow a schedule
    timeline_ = run_timeline(wait_at(line), plan_.config.load);
    schedule_.emplace(plan_.config.connect_rate, plan_.threads, timeline_.start);
    cursor_.emplace(*schedule_, std::vector<unsigned>{index_});
    next_publish_ = timeline_.start + publish_every_ns;
    next_sweep_ = timeline_.start + sweep_every_ns;
    std::int64_t now = now_ns();
    for (;;) {
        open_window(now);
        start_due(now);
        if (now >= next_publish_) {
            publish();
            while (next_publish_ <= now) next_publish_ += publish_every_ns;
        }
        if (now >= next_sweep_) {
            sweep_timeouts(now);
            next_sweep_ = now + sweep_every_ns;
        }
        const auto events = poller_.wait_until(next_deadline(now));
        now = now_ns();
        if (now >= timeline_.end) {
            // Drain: no new connects; the connections already open finish, at most the timeout.
            if (counting_) stats_.window_close_ns = now;
            counting_ = false;
            for (const auto& event : events) handle(event);  // edge-triggered: not reported again
            break;
        }
        open_window(now);
        for (const auto& event : events) handle(event);
    }
    while (busy() > 0 && now < timeline_.drain_end) {
        for (const auto& event : poller_.wait_until(timeline_.drain_end)) handle(event);
        now = now_ns();
    }
    for (std::size_t s = 0; s < slots_.size(); ++s) {
        client_connection& c = slots_[s];
        if (c.state() == conn_state::idle) continue;
        if (c.state() == conn_state::connecting) ++stats_.errors.connect;
        c.validator().abandon_timed_out(stats_.errors);
        c.close();
    }
    stats_.max_lag_ns = lag_.max_ns();
    record_cpu();
    publish();
}

void churn_worker::open_window(std::int64_t now) noexcept {
    if (counting_ || now < timeline_.warm_end) return;
    counting_ = true;
    stats_.window_open_ns = now;
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
    client_connection& c = slots_[slot];
    c.set_id(next_id_);
    next_id_ += plan_.threads;
    if (c.connect(plan_.target, now) != 0) {
        ++stats_.errors.connect;
        free_.push_back(unsigned(slot));
        return;
    }
    const bool established = c.state() == conn_state::open;
    poller_.add(c.fd(), socket_events, std::uint32_t(slot));
    if (established) on_connected(slot, now_ns());
}

void churn_worker::handle(const epoll_event& event) {
    const std::size_t slot = event.data.u32;
    client_connection& c = slots_[slot];
    switch (c.state()) {
        case conn_state::idle:
            return;
        case conn_state::connecting:
            if (c.complete_connect() != 0) {
                ++stats_.errors.connect;
                release(slot);
                return;
            }
            on_connected(slot, now_ns());
            if (c.state() != conn_state::open) return;
            [[fallthrough]];  // the same edge may also carry data
        case conn_state::open:
            if (event.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(slot);
            if (c.state() == conn_state::open && (event.events & EPOLLOUT) && c.output_pending())
                flush(slot);
            return;
    }
}

void churn_worker::on_connected(std::size_t slot, std::int64_t now) {
    client_connection& c = slots_[slot];
    if (counting_) {
        stats_.connect_latency.record(elapsed(c.connect_started_ns(), now));
        ++stats_.connects;
    }
    if (plan_.config.requests_per_connection == 0) {
        release(slot);
        return;
    }
    for (unsigned k = 0; k < plan_.config.requests_per_connection; ++k) c.enqueue(now, now);
    flush(slot);
}

void churn_worker::on_readable(std::size_t slot) {
    client_connection& c = slots_[slot];
    const read_outcome outcome =
        c.read(scratch_, stats_.errors,
               [this](const reply_verdict& verdict, std::int64_t at) { on_reply(verdict, at); });
    switch (outcome) {
        case read_outcome::ok:
            if (c.validator().in_flight_count() == 0) release(slot);  // all K answered: FIN
            return;
        case read_outcome::closed:
            if (c.validator().in_flight_count() > 0) ++stats_.errors.closed;
            break;
        case read_outcome::reset:
            ++stats_.errors.reset;
            break;
        case read_outcome::too_long:
            ++stats_.errors.wrong;
            break;
    }
    c.validator().abandon_missing(stats_.errors);
    release(slot);
}

void churn_worker::on_reply(const reply_verdict& verdict, std::int64_t received_ns) {
    if (verdict.kind != reply_kind::ok && verdict.kind != reply_kind::early) return;
    ++stats_.replies;
    if (!counting_) return;
    ++stats_.requests;
    stats_.latency.record(elapsed(verdict.intended_ns, received_ns));
}

void churn_worker::flush(std::size_t slot) {
    client_connection& c = slots_[slot];
    switch (c.flush()) {
        case io_status::ok:
        case io_status::again:  // the EPOLLOUT edge will say when to go on
            return;
        case io_status::closed:
        case io_status::reset:
            ++stats_.errors.reset;
            c.validator().abandon_missing(stats_.errors);
            release(slot);
            return;
    }
}

void churn_worker::release(std::size_t slot) {
    slots_[slot].close();
    free_.push_back(unsigned(slot));
}

void churn_worker::sweep_timeouts(std::int64_t now) {
    const std::int64_t timeout = plan_.config.load.timeout.count();
    for (std::size_t s = 0; s < slots_.size(); ++s) {
        client_connection& c = slots_[s];
        if (c.state() == conn_state::connecting && now - c.connect_started_ns() >= timeout) {
            ++stats_.errors.connect;
            release(s);
        } else if (c.state() == conn_state::open) {
            const in_flight* oldest = c.validator().oldest();
            if (oldest == nullptr || now - oldest->sent_ns < timeout) continue;
            c.validator().abandon_timed_out(stats_.errors);
            release(s);
        }
    }
}

std::int64_t churn_worker::next_deadline(std::int64_t now) const {
    std::int64_t deadline = std::min(next_publish_, next_sweep_);
    deadline = std::min(deadline, now < timeline_.warm_end ? timeline_.warm_end : timeline_.end);
    // While every slot is busy, a due connect waits for a release, not for the clock.
    if (!free_.empty() || started_ == due_) deadline = std::min(deadline, cursor_->next_due());
    return deadline;
}

}  // namespace robotbench::loadgen
