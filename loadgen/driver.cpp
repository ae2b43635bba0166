// Threads, the progress line, and merging.

#include "driver.hpp"

#include "intervals.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <thread>

namespace robotbench::loadgen {

namespace {

using namespace std::chrono;

constexpr std::int64_t second_ns = 1'000'000'000;
// The calling thread reads the snapshots this long after the workers publish them.
constexpr std::int64_t publish_grace_ns = 20'000'000;

// Calls on_progress once a second from `start` until the window ends or every worker finished.
void report_progress(std::vector<std::unique_ptr<worker>>& workers, const load_config& config,
                     std::int64_t start, const std::atomic<unsigned>& finished,
                     const progress_fn& on_progress) {
    // With a request count the run lasts until the workers finish.
    const std::int64_t total =
        config.requests > 0 ? never : (config.warmup + config.duration).count();
    std::uint64_t last_replies = 0;
    std::int64_t last_at = start;
    histogram merged;
    for (std::int64_t tick = second_ns; tick <= total; tick += second_ns) {
        const std::int64_t at = start + tick + publish_grace_ns;
        while (now_ns() < at) {
            if (finished.load() == workers.size()) return;
            std::this_thread::sleep_for(
                nanoseconds(std::min<std::int64_t>(at - now_ns(), 100'000'000)));
        }
        progress p;
        std::uint64_t replies = 0;
        merged.reset();
        for (auto& w : workers) {
            std::lock_guard guard(w->slot().lock);
            replies += w->slot().replies;
            p.errors += w->slot().errors;
            merged.merge(w->slot().latency);
        }
        const std::int64_t now = now_ns();
        p.elapsed = nanoseconds(tick);
        p.warming_up = tick <= config.warmup.count();
        p.requests_per_s = double(replies - last_replies) * 1e9 / double(now - last_at);
        p.p99_ns = merged.value_at_percentile(99);
        last_replies = replies;
        last_at = now;
        on_progress(p);
    }
}

}  // namespace

unsigned generator_threads(const load_config& config) {
    unsigned threads = config.threads;
    // By default the generator takes half the cores and leaves the rest to the server it
    // measures on the same machine: more generator threads only steal the server's CPU.
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency() / 2);
    return std::max(1u, std::min(threads, config.connections));
}

load_result drive(std::vector<std::unique_ptr<worker>>& workers, const load_config& config,
                  bool service_is_latency, const progress_fn& on_progress) {
    start_line line(static_cast<unsigned>(workers.size()), bool(config.before_start));
    std::atomic<unsigned> finished{0};
    std::vector<std::exception_ptr> failures(workers.size());
    std::exception_ptr hook_failure;
    {
        std::vector<std::jthread> threads;
        threads.reserve(workers.size());
        for (std::size_t i = 0; i < workers.size(); ++i) {
            threads.emplace_back([&, i] {
                try {
                    workers[i]->run(line);
                } catch (...) {
                    failures[i] = std::current_exception();
                    if (!workers[i]->arrived()) line.drop();
                }
                ++finished;
            });
        }
        if (config.before_start) {
            line.wait_until_ready();
            try {
                config.before_start();
            } catch (...) {
                hook_failure = std::current_exception();  // rethrown once the run is over
            }
            line.release();  // even after a failure: the threads must not wait for ever
        }
        const std::int64_t start = line.wait_for_start();
        if (on_progress) report_progress(workers, config, start, finished, on_progress);
    }  // joins
    if (hook_failure) std::rethrow_exception(hook_failure);
    for (auto& failure : failures)
        if (failure) std::rethrow_exception(failure);

    load_result result;
    std::int64_t window_open = never, window_close = 0;
    for (auto& w : workers) {
        const thread_stats& s = w->stats();
        result.requests += s.requests;
        result.unanswered += s.unanswered;
        result.unsent += s.unsent;
        result.sent += s.sent;
        result.errors += s.errors;
        result.latency.merge(s.latency);
        result.service.merge(service_is_latency ? s.latency : s.service);
        result.connect_latency.merge(s.connect_latency);
        result.connects += s.connects;
        result.max_lag = std::max(result.max_lag, nanoseconds(s.max_lag_ns));
        result.generator_cpu.user_s += s.cpu.user_s;
        result.generator_cpu.sys_s += s.cpu.sys_s;
        window_open = std::min(window_open, s.window_open_ns);
        window_close = std::max(window_close, s.window_close_ns);
    }
    result.interrupted = config.stop != nullptr && config.stop->load();
    if (window_open != never && window_close > window_open) {
        result.measured = nanoseconds(window_close - window_open);
        result.window_begin = steady_clock::time_point(nanoseconds(window_open));
        result.window_end = steady_clock::time_point(nanoseconds(window_close));
        result.intervals = merge_intervals(workers, 0, workers.size(), window_open, window_close,
                                           config.interval);
    }
    return result;
}

}  // namespace robotbench::loadgen
