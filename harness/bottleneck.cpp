#include "bottleneck.hpp"

#include <fmt/core.h>

#include "units.hpp"

namespace robotbench {

namespace {

constexpr double busy_threshold = 0.9;                  // of every generator thread's time
constexpr std::uint64_t lag_threshold_ns = 10'000'000;  // 10 ms behind schedule

}  // namespace

std::vector<std::string> bottleneck_warnings(const run_record& r, unsigned cores) {
    std::vector<std::string> out;
    if (!r.loaded || r.requests == 0 || !r.generator_window_cpu_s) return out;
    const double requests = static_cast<double>(r.requests);
    // In closed loop the generator's speed sets the pace; in open loop (and the idle scenario,
    // whose connections follow a schedule) the schedule does, and falling behind it is the sign
    // to look for (below). Both CPU figures cover the same window,
    // so their ratio is the ratio per request; a margin keeps equal costs from flipping the
    // warning on measurement noise.
    const auto ratio = r.generator_server_cpu_ratio();
    if (ratio && r.options.load.rate == 0 && r.options.kind != scenario::idle &&
        *ratio >= generator_cpu_ratio_warning)
        out.push_back(fmt::format(
            "the generator spent {:.2f} µs of CPU per request and the server {:.2f} µs ({:.2f}x, "
            "warning from {:.2f}x): on this machine's {} cores the generator, not the server, "
            "may have limited the throughput",
            *r.generator_window_cpu_s * 1e6 / requests, r.server_cpu_s() * 1e6 / requests, *ratio,
            generator_cpu_ratio_warning, cores));
    if (r.measured_s > 0 && r.options.load.threads > 0) {
        const double busy = *r.generator_window_cpu_s / (r.measured_s * r.options.load.threads);
        if (busy >= busy_threshold)
            out.push_back(fmt::format(
                "the generator's {} threads were {:.0f}% busy: it may have been the bottleneck "
                "(try more -t threads, or a machine with more cores)",
                r.options.load.threads, 100 * busy));
    }
    if (r.options.load.rate > 0 && r.max_lag_ns >= lag_threshold_ns)
        out.push_back(fmt::format(
            "the generator fell up to {} behind its open-loop schedule: the rate asked for was "
            "not fully offered",
            format_latency(r.max_lag_ns)));
    return out;
}

}  // namespace robotbench
