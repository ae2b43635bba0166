// run_idle: many connections that each send a request now and then, and a few probe connections
// at a steady rate, all on one start line, so the probes measure latency while the idle
// connections are held.

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "config_check.hpp"
#include "driver.hpp"
#include "fd_limit.hpp"
#include "intervals.hpp"
#include "load_worker.hpp"
#include "usage_error.hpp"

namespace robotbench::loadgen {

namespace {

// The totals of workers [first, last): drive() merged them all, and the probes and the idle
// connections are reported apart. The window and the generator's CPU are the whole run's.
load_result sum_of(const load_result& all, const std::vector<std::unique_ptr<worker>>& workers,
                   std::size_t first, std::size_t last) {
    load_result r;
    r.measured = all.measured;
    r.window_begin = all.window_begin;
    r.window_end = all.window_end;
    r.generator_cpu = all.generator_cpu;
    r.interrupted = all.interrupted;
    for (std::size_t i = first; i < last; ++i) {
        const thread_stats& s = workers[i]->stats();
        r.requests += s.requests;
        r.unanswered += s.unanswered;
        r.unsent += s.unsent;
        r.errors += s.errors;
        r.latency.merge(s.latency);
        r.service.merge(s.service);
        r.connect_latency.merge(s.connect_latency);
        r.connects += s.connects;
        r.max_lag = std::max(r.max_lag, std::chrono::nanoseconds(s.max_lag_ns));
    }
    return r;
}

}  // namespace

idle_result run_idle(const idle_config& config, const progress_fn& on_progress) {
    check_idle_config(config);

    // The idle connections: open loop at one request per interval each.
    load_plan idle{config.load, resolve(config.load.target), 0};
    idle.config.rate = config.load.connections * 1e9 / double(config.interval.count());
    idle.config.pipeline = 1;
    idle.threads = generator_threads(idle.config);
    check_load_config(idle.config);
    // The probes: their own thread, open loop at the probe rate.
    load_plan probes{config.load, idle.target, 1};
    probes.config.connections = config.probes;
    probes.config.rate = config.probe_rate;
    probes.config.pipeline = 1;
    check_load_config(probes.config);

    ensure_fd_limit(idle.config.connections + probes.config.connections);
    std::vector<std::unique_ptr<worker>> workers;
    for (unsigned t = 0; t < idle.threads; ++t)
        workers.push_back(std::make_unique<load_worker>(idle, t));
    workers.push_back(std::make_unique<load_worker>(probes, 0));
    const load_result all = drive(workers, config.load, /*service_is_latency=*/false, on_progress);

    const std::size_t n = workers.size();
    idle_result out{sum_of(all, workers, n - 1, n), sum_of(all, workers, 0, n - 1)};
    if (all.measured.count() > 0) {
        const std::int64_t open = all.window_begin.time_since_epoch().count();
        const std::int64_t close = all.window_end.time_since_epoch().count();
        out.probes.intervals =
            merge_intervals(workers, n - 1, n, open, close, config.load.interval);
        out.idle.intervals = merge_intervals(workers, 0, n - 1, open, close, config.load.interval);
    }
    return out;
}

}  // namespace robotbench::loadgen
