// The per-thread epoll loop of run_load.

#include "load_worker.hpp"

#include <algorithm>

namespace robotbench::loadgen {

namespace {

constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t reconnect_delay_ns = 10 * ms;  // after the server closed or reset
constexpr std::int64_t connect_retry_ns = 100 * ms;   // after a failed connect

}  // namespace

load_worker::load_worker(const load_plan& plan, unsigned index)
    : connection_worker(plan.config, plan.target, /*record_service=*/plan.config.rate > 0),
      plan_(plan),
      max_in_flight_(open_loop() ? open_loop_max_in_flight : plan.config.pipeline) {
    for (unsigned c = index; c < plan.config.connections; c += plan.threads) lanes_.push_back(c);
    const std::size_t expected = open_loop() ? 64 : plan.config.pipeline;
    conns_.reserve(lanes_.size());
    for (unsigned lane : lanes_) conns_.emplace_back(lane, plan.config.size, expected);
    retry_at_.assign(conns_.size(), never);
    due_.assign(conns_.size(), 0);
    sent_.assign(conns_.size(), 0);
    in_owing_.assign(conns_.size(), 0);
    owing_.reserve(conns_.size());
    const std::uint64_t n = plan.config.requests, c = plan.config.connections;
    quota_.resize(conns_.size());
    for (std::size_t i = 0; i < conns_.size(); ++i) {
        quota_[i] = n / c + (lanes_[i] < n % c ? 1 : 0);
        quota_left_ += quota_[i];
    }
    quota_sent_.assign(conns_.size(), 0);
}

void load_worker::run(start_line& line) {
    tune_thread(/*batch=*/!open_loop());
    // Each connect is timed from its own start: completions are taken after every connect, so a
    // connect's latency does not include issuing the others.
    for (std::size_t i = 0; i < conns_.size(); ++i) {
        connect(i, now_ns());
        for (const auto& event : poller_.wait_until(0)) handle(event);
    }
    std::int64_t now = now_ns();
    const std::int64_t connect_deadline = now + plan_.config.timeout.count();
    while (any_connecting() && now < connect_deadline && !stop_requested()) {
        for (const auto& event : poller_.wait_until(connect_deadline)) handle(event);
        now = now_ns();
    }

    start_clock(line);
    if (open_loop()) {
        schedule_.emplace(plan_.config.rate, plan_.config.connections, timeline_.start);
        cursor_.emplace(*schedule_, lanes_);
        if (counted()) {
            // The window's sends are the N slots from the first one due after the warm-up.
            const auto first = schedule_->first_slot_from(timeline_.warm_end);
            timeline_.end = schedule_->slot_due(first + plan_.config.requests);
            timeline_.drain_end = timeline_.end + plan_.config.timeout.count();
        }
    }
    phase_ = phase::running;
    now = now_ns();
    for (std::size_t i = 0; i < conns_.size(); ++i) send_more(i, now);
    maintain(now);
    for (;;) {
        open_window(now);
        const auto events = poller_.wait_until(next_deadline(now));
        now = now_ns();
        if ((!counted() && now >= timeline_.end) || stop_requested()) {
            // Drain: no new requests; wait for the replies still due, at most the timeout. What
            // the window asked for and did not get answered is recorded as it stands now.
            if (counting_) record_unfinished(now);
            close_window(now);
            phase_ = phase::draining;
            for (const auto& event : events) handle(event);  // edge-triggered: not reported again
            break;
        }
        open_window(now);
        for (const auto& event : events) handle(event);
        now = now_ns();
        maintain(now);
        if (counted() && count_finished(now)) {
            // Whatever is still awaited (only after a stall or the open-loop drain) is
            // recorded as it stands; there is no further drain.
            record_unfinished(now);
            close_window(now);
            phase_ = phase::draining;
            break;
        }
    }
    if (!stop_requested() && !counted()) drain(now);
    finish();
}

void load_worker::connect(std::size_t i, std::int64_t now) {
    if (!start_connect(i, now)) schedule_retry(i, now + connect_retry_ns);
}

void load_worker::on_connected(std::size_t i, std::int64_t now) {
    stats_.connect_latency.record(elapsed(conns_[i].connect_started_ns(), now));
    ++stats_.connects;
    if (phase_ == phase::running) send_more(i, now);
}

void load_worker::on_replies(std::size_t i, std::int64_t now) {
    if (phase_ == phase::running) send_more(i, now);
}

void load_worker::send_more(std::size_t i, std::int64_t now) {
    client_connection& c = conns_[i];
    if (c.state() != conn_state::open) return;
    const std::size_t in_flight = c.validator().in_flight_count();
    if (!open_loop()) {
        const bool measured = now >= timeline_.warm_end;
        std::size_t n = in_flight < max_in_flight_ ? max_in_flight_ - in_flight : 0;
        if (counted() && measured) n = std::min<std::size_t>(n, quota_[i] - quota_sent_[i]);
        if (n > 0) c.enqueue(n, now, now);
        if (measured) {
            stats_.sent += n;
            if (counted()) {
                quota_sent_[i] += n;
                quota_left_ -= n;
            }
        }
    } else {
        const std::uint64_t owed = due_[i] - sent_[i];
        const std::size_t room = max_in_flight_ > in_flight ? max_in_flight_ - in_flight : 0;
        for (std::uint64_t n = std::min<std::uint64_t>(owed, room); n > 0; --n) {
            const std::int64_t intended = schedule_->due(lanes_[i], sent_[i]++);
            if (intended >= timeline_.warm_end) {
                lag_.on_send(intended, now);
                ++stats_.sent;
            }
            c.enqueue(intended, now);
        }
    }
    flush(i);
}

void load_worker::drop(std::size_t i, std::int64_t now, loss why) {
    conns_[i].close();  // closing the descriptor also takes it out of the epoll set
    if (phase_ == phase::draining) return;
    schedule_retry(i, now + (why == loss::connect_failed ? connect_retry_ns : reconnect_delay_ns));
}

void load_worker::schedule_retry(std::size_t i, std::int64_t when) noexcept {
    retry_at_[i] = when;
    next_retry_ = std::min(next_retry_, when);
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
    run_chores(now);
    if (now >= next_retry_) run_retries(now);
    advance_schedule(now);
}

void load_worker::run_retries(std::int64_t now) {
    next_retry_ = never;
    for (std::size_t i = 0; i < conns_.size(); ++i) {
        if (retry_at_[i] > now) {
            next_retry_ = std::min(next_retry_, retry_at_[i]);
            continue;
        }
        retry_at_[i] = never;
        connect(i, now_ns());
    }
}

std::int64_t load_worker::next_deadline(std::int64_t now) const {
    std::int64_t deadline = std::min(chores_deadline(now), next_retry_);
    if (cursor_) deadline = std::min(deadline, cursor_->next_due());
    return deadline;
}

bool load_worker::count_finished(std::int64_t now) noexcept {
    if (!counting_) return false;
    if (last_progress_ns_ == 0 || stats_.requests != last_requests_) {
        last_requests_ = stats_.requests;
        last_progress_ns_ = now;
    }
    if (open_loop())
        return now >= timeline_.end &&
               ((settled() && owing_.empty()) || now >= timeline_.drain_end);
    if (quota_left_ == 0 && settled()) return true;
    // A server that answers nothing for a timeout ends the run; what is left is reported.
    return now - last_progress_ns_ >= plan_.config.timeout.count();
}

bool load_worker::any_connecting() const noexcept {
    return std::any_of(conns_.begin(), conns_.end(), [](const client_connection& c) {
        return c.state() == conn_state::connecting;
    });
}

bool load_worker::settled() const noexcept {
    // Only requests a reply may still come for in order count.
    return std::all_of(conns_.begin(), conns_.end(),
                       [](const client_connection& c) { return c.validator().awaited() == 0; });
}

void load_worker::record_unfinished(std::int64_t now) {
    const std::int64_t window_start = timeline_.warm_end;
    for (auto& c : conns_) {
        c.validator().for_each_awaited([&](const in_flight& request) {
            // Open loop, or with a count: only what the window asked for (as for replies).
            if ((open_loop() || counted()) && request.intended_ns < window_start) return;
            ++stats_.unanswered;
            record_latency(elapsed(request.intended_ns, now));
            if (open_loop()) stats_.service.record(elapsed(request.sent_ns, now));
        });
    }
    if (!open_loop()) {
        // With a count, the share of each connection never sent.
        if (counted())
            for (std::size_t i = 0; i < conns_.size(); ++i)
                stats_.unsent += quota_[i] - quota_sent_[i];
        return;
    }
    // Sends that fell due before now and were never made: the schedule's, not the server's, but
    // the window asked for them.
    const std::int64_t limit = std::min(now, timeline_.end - 1);
    while (cursor_->next_due() <= limit) {
        ++due_[cursor_->next_index()];
        cursor_->advance();
    }
    for (std::size_t i = 0; i < conns_.size(); ++i) {
        for (std::uint64_t k = sent_[i]; k < due_[i]; ++k) {
            const std::int64_t intended = schedule_->due(lanes_[i], k);
            if (intended < window_start) continue;
            ++stats_.unsent;
            record_latency(elapsed(intended, now));
        }
    }
}

void load_worker::finish() {
    const bool interrupted = stop_requested();
    for (auto& c : conns_) {
        // Interrupted, the requests in flight were not given their time: not errors.
        if (interrupted)
            c.validator().clear();
        else if (c.validator().in_flight_count() > 0)
            c.validator().abandon_timed_out(stats_.errors);
        c.close();
    }
    wrap_up();
}

}  // namespace robotbench::loadgen
