// The connection handling the load and churn loops share.

#include "connection_worker.hpp"

#include <algorithm>

namespace robotbench::loadgen {

namespace {

constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t sweep_every_ns = 50 * ms;      // timeout checks
constexpr std::int64_t publish_every_ns = 1000 * ms;  // progress snapshots

}  // namespace

connection_worker::connection_worker(const load_config& config, const resolved_endpoint& target,
                                     bool record_service)
    : config_(config), target_(target), record_service_(record_service), scratch_(read_chunk) {}

void connection_worker::start_clock(start_line& line) {
    timeline_ = run_timeline(wait_at(line), config_);
    stats_.window_start_ns = timeline_.warm_end;
    next_publish_ = timeline_.start + publish_every_ns;
    next_sweep_ = timeline_.start + sweep_every_ns;
}

void connection_worker::open_window(std::int64_t now) {
    if (counting_) {
        roll_intervals(now);
        return;
    }
    if (now < timeline_.warm_end || stats_.window_open_ns != never) return;
    counting_ = true;
    stats_.window_open_ns = now;
    next_roll_ = timeline_.warm_end + config_.interval.count();
    requests_at_roll_ = stats_.requests;
    errors_at_roll_ = stats_.errors.total();
    roll_intervals(now);
}

void connection_worker::close_window(std::int64_t now) {
    if (counting_) {
        stats_.window_close_ns = now;
        roll_intervals(now);
        end_interval();
        next_roll_ = never;
    }
    counting_ = false;
}

void connection_worker::end_interval() {
    latency_.flush();  // the replies of this read that came before the interval's end
    interval_record r;
    const std::uint64_t errors = stats_.errors.total();
    r.requests = stats_.requests - requests_at_roll_;
    r.errors = errors - errors_at_roll_;
    r.open_connections = static_cast<std::uint64_t>(
        std::count_if(conns_.begin(), conns_.end(),
                      [](const client_connection& c) { return c.state() == conn_state::open; }));
    r.latency = interval_latency_.snapshot();
    stats_.latency.merge(interval_latency_);
    interval_latency_.reset();
    stats_.intervals.push_back(std::move(r));
    requests_at_roll_ = stats_.requests;
    errors_at_roll_ = errors;
}

bool connection_worker::start_connect(std::size_t i, std::int64_t now) {
    client_connection& c = conns_[i];
    if (c.connect(target_, now) != 0) {
        ++stats_.errors.connect;
        return false;
    }
    const bool established = c.state() == conn_state::open;
    poller_.add(c.fd(), socket_events, std::uint32_t(i));
    if (established) on_connected(i, now_ns());
    return true;
}

void connection_worker::handle(const epoll_event& event) {
    const std::size_t i = event.data.u32;
    client_connection& c = conns_[i];
    switch (c.state()) {
        case conn_state::idle:
            return;
        case conn_state::connecting:
            if (c.complete_connect() != 0) {
                ++stats_.errors.connect;
                drop(i, now_ns(), loss::connect_failed);
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

void connection_worker::on_readable(std::size_t i) {
    client_connection& c = conns_[i];
    const read_outcome outcome =
        c.read(scratch_, stats_.errors,
               [this](const reply_verdict& verdict, std::int64_t at) { on_reply(verdict, at); });
    latency_.flush();
    service_.flush();
    const std::int64_t now = now_ns();
    switch (outcome) {
        case read_outcome::ok:
            on_replies(i, now);
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
    drop(i, now, loss::lost);
}

void connection_worker::on_reply(const reply_verdict& verdict, std::int64_t received_ns) {
    if (verdict.kind != reply_kind::ok && verdict.kind != reply_kind::early) return;
    ++stats_.replies;
    if (!counting_) return;
    // With a send schedule, the window holds the requests it asked for: one intended before it
    // opened belongs to the warm-up, wherever its reply lands.
    // So does, with a request count, a closed-loop request sent before it opened.
    if ((record_service_ || config_.requests > 0) && verdict.intended_ns < timeline_.warm_end)
        return;
    if (received_ns >= next_roll_) [[unlikely]]
        roll_intervals(received_ns);
    ++stats_.requests;
    record_latency(elapsed(verdict.intended_ns, received_ns));
    if (record_service_) service_.add(elapsed(verdict.sent_ns, received_ns));
}

void connection_worker::flush(std::size_t i) {
    client_connection& c = conns_[i];
    switch (c.flush()) {
        case io_status::ok:
        case io_status::again:  // the EPOLLOUT edge will say when to go on
            return;
        case io_status::closed:
        case io_status::reset:
            ++stats_.errors.reset;
            c.validator().abandon_missing(stats_.errors);
            drop(i, now_ns(), loss::lost);
            return;
    }
}

void connection_worker::run_chores(std::int64_t now) {
    if (counting_) roll_intervals(now);
    if (now >= next_publish_) {
        publish(&interval_latency_);
        while (next_publish_ <= now) next_publish_ += publish_every_ns;
    }
    if (now >= next_sweep_) {
        sweep_timeouts(now);
        next_sweep_ = now + sweep_every_ns;
    }
}

void connection_worker::sweep_timeouts(std::int64_t now) {
    const std::int64_t timeout = config_.timeout.count();
    for (std::size_t i = 0; i < conns_.size(); ++i) {
        client_connection& c = conns_[i];
        if (c.state() == conn_state::connecting) {
            if (now - c.connect_started_ns() < timeout) continue;
            ++stats_.errors.connect;
            drop(i, now, loss::connect_failed);
        } else if (c.state() == conn_state::open) {
            const in_flight* oldest = c.validator().oldest();
            if (oldest == nullptr || now - oldest->sent_ns < timeout) continue;
            c.validator().abandon_timed_out(stats_.errors);
            drop(i, now, loss::lost);
        }
    }
}

std::int64_t connection_worker::chores_deadline(std::int64_t now) const noexcept {
    const std::int64_t deadline = std::min({next_publish_, next_sweep_, next_roll_});
    return std::min(deadline, now < timeline_.warm_end ? timeline_.warm_end : timeline_.end);
}

void connection_worker::drain(std::int64_t now) {
    while (!settled() && now < timeline_.drain_end) {
        for (const auto& event : poller_.wait_until(timeline_.drain_end)) handle(event);
        now = now_ns();
    }
}

void connection_worker::wrap_up() {
    stats_.max_lag_ns = lag_.max_ns();
    record_cpu();
    publish();
}

}  // namespace robotbench::loadgen
