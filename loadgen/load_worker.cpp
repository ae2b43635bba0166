// The per-thread epoll loop of run_load.

#include "load_worker.hpp"

#include <algorithm>

namespace robotbench::loadgen {

namespace {

constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t reconnect_delay_ns = 10 * ms;  // after the server closed or reset
constexpr std::int64_t connect_retry_ns = 100 * ms;   // after a failed connect
constexpr std::int64_t sweep_every_ns = 50 * ms;      // timeout checks
constexpr std::int64_t publish_every_ns = 1000 * ms;  // progress snapshots

std::uint64_t elapsed(std::int64_t from, std::int64_t to) {
    return to > from ? std::uint64_t(to - from) : 0;
}

}  // namespace

load_worker::load_worker(const load_plan& plan, unsigned index)
    : plan_(plan),
      max_in_flight_(open_loop()
                         ? std::max<std::size_t>(plan.config.pipeline, open_loop_max_in_flight)
                         : plan.config.pipeline),
      scratch_(read_chunk) {
    for (unsigned c = index; c < plan.config.connections; c += plan.threads) lanes_.push_back(c);
    const std::size_t expected = open_loop() ? 64 : plan.config.pipeline;
    conns_.reserve(lanes_.size());
    for (unsigned lane : lanes_) conns_.emplace_back(lane, plan.config.size, expected);
    retry_at_.assign(conns_.size(), never);
    due_.assign(conns_.size(), 0);
    sent_.assign(conns_.size(), 0);
    in_owing_.assign(conns_.size(), 0);
    owing_.reserve(conns_.size());
}

void load_worker::run(start_line& line) {
    tune_thread(/*batch=*/!open_loop());
    std::int64_t now = now_ns();
    for (std::size_t i = 0; i < conns_.size(); ++i) connect(i, now);
    const std::int64_t connect_deadline = now + plan_.config.timeout.count();
    while (any_connecting() && now < connect_deadline) {
        for (const auto& event : poller_.wait_until(connect_deadline)) handle(event);
        now = now_ns();
    }

    timeline_ = run_timeline(wait_at(line), plan_.config);
    if (open_loop()) {
        schedule_.emplace(plan_.config.rate, plan_.config.connections, timeline_.start);
        cursor_.emplace(*schedule_, lanes_);
    }
    phase_ = phase::running;
    next_publish_ = timeline_.start + publish_every_ns;
    next_sweep_ = timeline_.start + sweep_every_ns;
    now = now_ns();
    for (std::size_t i = 0; i < conns_.size(); ++i) send_more(i, now);
    maintain(now);
    for (;;) {
        open_window(now);
        const auto events = poller_.wait_until(next_deadline(now));
        now = now_ns();
        if (now >= timeline_.end) {
            // Drain: no new requests; wait for the replies still due, at most the timeout.
            if (counting_) stats_.window_close_ns = now;
            counting_ = false;
            phase_ = phase::draining;
            for (const auto& event : events) handle(event);  // edge-triggered: not reported again
            break;
        }
        open_window(now);
        for (const auto& event : events) handle(event);
        now = now_ns();
        maintain(now);
    }
    while (awaited() > 0 && now < timeline_.drain_end) {
        for (const auto& event : poller_.wait_until(timeline_.drain_end)) handle(event);
        now = now_ns();
    }
    finish();
}

void load_worker::open_window(std::int64_t now) noexcept {
    if (counting_ || now < timeline_.warm_end) return;
    counting_ = true;
    stats_.window_open_ns = now;
}

void load_worker::connect(std::size_t i, std::int64_t now) {
    client_connection& c = conns_[i];
    if (c.connect(plan_.target, now) != 0) {
        ++stats_.errors.connect;
        retry_at_[i] = now + connect_retry_ns;
        next_retry_ = std::min(next_retry_, retry_at_[i]);
        return;
    }
    const bool established = c.state() == conn_state::open;
    poller_.add(c.fd(), socket_events, std::uint32_t(i));
    if (established) on_connected(i, now_ns());
}

void load_worker::handle(const epoll_event& event) {
    const std::size_t i = event.data.u32;
    client_connection& c = conns_[i];
    switch (c.state()) {
        case conn_state::idle:
            return;
        case conn_state::connecting:
            if (c.complete_connect() != 0) {
                ++stats_.errors.connect;
                drop(i, now_ns(), connect_retry_ns);
                return;
            }
            on_connected(i, now_ns());
            if (c.state() != conn_state::open) return;
            [[fallthrough]];  // the same edge may also carry data
        case conn_state::open:
            if (event.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(i);
            if (c.state() == conn_state::open && (event.events & EPOLLOUT) && c.output_pending())
                flush(i);
            return;
    }
}

void load_worker::on_connected(std::size_t i, std::int64_t now) {
    stats_.connect_latency.record(elapsed(conns_[i].connect_started_ns(), now));
    ++stats_.connects;
    if (phase_ == phase::running) send_more(i, now);
}

void load_worker::on_readable(std::size_t i) {
    client_connection& c = conns_[i];
    const read_outcome outcome =
        c.read(scratch_, stats_.errors,
               [this](const reply_verdict& verdict, std::int64_t at) { on_reply(verdict, at); });
    const std::int64_t now = now_ns();
    switch (outcome) {
        case read_outcome::ok:
            if (phase_ == phase::running) send_more(i, now);
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
    drop(i, now, reconnect_delay_ns);
}

void load_worker::on_reply(const reply_verdict& verdict, std::int64_t received_ns) {
    if (verdict.kind != reply_kind::ok && verdict.kind != reply_kind::early) return;
    ++stats_.replies;
    if (!counting_) return;
    ++stats_.requests;
    stats_.latency.record(elapsed(verdict.intended_ns, received_ns));
    if (open_loop()) stats_.service.record(elapsed(verdict.sent_ns, received_ns));
}

void load_worker::send_more(std::size_t i, std::int64_t now) {
    client_connection& c = conns_[i];
    if (c.state() != conn_state::open) return;
    const std::size_t in_flight = c.validator().in_flight_count();
    if (!open_loop()) {
        for (std::size_t n = in_flight; n < max_in_flight_; ++n) c.enqueue(now, now);
    } else {
        const std::uint64_t owed = due_[i] - sent_[i];
        const std::size_t room = max_in_flight_ > in_flight ? max_in_flight_ - in_flight : 0;
        for (std::uint64_t n = std::min<std::uint64_t>(owed, room); n > 0; --n) {
            const std::int64_t intended = schedule_->due(lanes_[i], sent_[i]++);
            if (intended >= timeline_.warm_end) lag_.on_send(intended, now);
            c.enqueue(intended, now);
        }
    }
    flush(i);
}

void load_worker::flush(std::size_t i) {
    client_connection& c = conns_[i];
    switch (c.flush()) {
        case io_status::ok:
        case io_status::again:  // the EPOLLOUT edge will say when to go on
            return;
        case io_status::closed:
        case io_status::reset:
            ++stats_.errors.reset;
            c.validator().abandon_missing(stats_.errors);
            drop(i, now_ns(), reconnect_delay_ns);
            return;
    }
}

void load_worker::drop(std::size_t i, std::int64_t now, std::int64_t retry_after_ns) {
    conns_[i].close();  // closing the descriptor also takes it out of the epoll set
    if (phase_ == phase::draining) return;
    retry_at_[i] = now + retry_after_ns;
    next_retry_ = std::min(next_retry_, retry_at_[i]);
}

void load_worker::advance_schedule(std::int64_t now) {
    if (!cursor_) return;
    while (cursor_->next_due() <= now && cursor_->next_due() < timeline_.end) {
        const std::size_t i = cursor_->next_index();
        ++due_[i];
        if (!in_owing_[i]) {
            in_owing_[i] = 1;
            owing_.push_back(unsigned(i));
        }
        cursor_->advance();
    }
    for (std::size_t k = 0; k < owing_.size();) {
        const unsigned i = owing_[k];
        send_more(i, now);
        if (due_[i] == sent_[i]) {
            in_owing_[i] = 0;
            owing_[k] = owing_.back();
            owing_.pop_back();
        } else {
            ++k;
        }
    }
}

void load_worker::maintain(std::int64_t now) {
    if (now >= next_publish_) {
        publish();
        while (next_publish_ <= now) next_publish_ += publish_every_ns;
    }
    if (now >= next_sweep_) {
        sweep_timeouts(now);
        next_sweep_ = now + sweep_every_ns;
    }
    if (now >= next_retry_) run_retries(now);
    advance_schedule(now);
}

void load_worker::sweep_timeouts(std::int64_t now) {
    const std::int64_t timeout = plan_.config.timeout.count();
    for (std::size_t i = 0; i < conns_.size(); ++i) {
        client_connection& c = conns_[i];
        if (c.state() == conn_state::connecting) {
            if (now - c.connect_started_ns() < timeout) continue;
            ++stats_.errors.connect;
            drop(i, now, connect_retry_ns);
        } else if (c.state() == conn_state::open) {
            const in_flight* oldest = c.validator().oldest();
            if (oldest == nullptr || now - oldest->sent_ns < timeout) continue;
            c.validator().abandon_timed_out(stats_.errors);
            drop(i, now, reconnect_delay_ns);
        }
    }
}

void load_worker::run_retries(std::int64_t now) {
    next_retry_ = never;
    for (std::size_t i = 0; i < conns_.size(); ++i) {
        if (retry_at_[i] > now) {
            next_retry_ = std::min(next_retry_, retry_at_[i]);
            continue;
        }
        retry_at_[i] = never;
        connect(i, now);
    }
}

std::int64_t load_worker::next_deadline(std::int64_t now) const {
    std::int64_t deadline = std::min({next_publish_, next_sweep_, next_retry_});
    deadline = std::min(deadline, now < timeline_.warm_end ? timeline_.warm_end : timeline_.end);
    if (cursor_) deadline = std::min(deadline, cursor_->next_due());
    return deadline;
}

bool load_worker::any_connecting() const noexcept {
    return std::any_of(conns_.begin(), conns_.end(), [](const client_connection& c) {
        return c.state() == conn_state::connecting;
    });
}

std::size_t load_worker::awaited() const noexcept {
    std::size_t total = 0;
    for (const auto& c : conns_) total += c.validator().awaited();
    return total;
}

void load_worker::finish() {
    for (auto& c : conns_) {
        if (c.validator().in_flight_count() > 0) c.validator().abandon_timed_out(stats_.errors);
        c.close();
    }
    stats_.max_lag_ns = lag_.max_ns();
    record_cpu();
    publish();
}

}  // namespace robotbench::loadgen
