#include "columns.hpp"

#include <fmt/core.h>

#include <array>

namespace robotbench {

namespace {

using u64 = std::uint64_t;

cell us(u64 ns) {
    return decimal{static_cast<double>(ns) / 1e3, 1};
}
cell ms(u64 ns) {
    return decimal{static_cast<double>(ns) / 1e6, 3};
}
cell seconds(double s) {
    return decimal{s, 3};
}

// A load column: n/a when no load ran (the presence scenario, or a server that never started).
template <typename F>
cell if_loaded(const run_record& r, F f) {
    return r.loaded ? cell{f(r)} : cell{};
}

// A latency column in µs: n/a when no load ran or nothing was recorded.
cell percentile(const run_record& r, const latency_summary& l, u64 latency_summary::*field) {
    return r.loaded && l.count != 0 ? us(l.*field) : cell{};
}

// A server-cost column: n/a against an outside target.
template <typename F>
cell if_server(const run_record& r, F f) {
    return r.server && r.loaded ? cell{f(*r.server)} : cell{};
}

// A presence column: n/a unless checks ran.
template <typename F>
cell if_checked(const run_record& r, F f) {
    const auto s = r.presence.state;
    return s == presence_state::passed || s == presence_state::failed ? cell{f(r.presence)}
                                                                      : cell{};
}

// Checks ran and at least one count converged, so there are convergence times.
bool converged(const run_record& r) {
    const auto s = r.presence.state;
    return (s == presence_state::passed || s == presence_state::failed) &&
           r.presence.checks > r.presence.failures;
}

constexpr std::array all_columns{
    column{"timestamp", [](const run_record& r) -> cell { return r.timestamp; }},
    column{"git_revision", [](const run_record& r) -> cell { return r.git_revision; }},
    column{
        "backend",
        [](const run_record& r) -> cell { return r.backend.empty() ? cell{} : cell{r.backend}; }},
    column{"target", [](const run_record& r) -> cell { return r.target; }},
    column{"scenario",
           [](const run_record& r) -> cell { return std::string(scenario_name(r.options.kind)); }},
    column{"status", [](const run_record& r) -> cell { return r.status(); }},
    column{"connections",
           [](const run_record& r) -> cell { return u64{r.options.load.connections}; }},
    column{"threads", [](const run_record& r) -> cell { return u64{r.options.load.threads}; }},
    column{"server_threads",
           [](const run_record& r) -> cell { return u64{r.options.server_threads}; }},
    column{"pipeline", [](const run_record& r) -> cell { return u64{r.options.load.pipeline}; }},
    column{"rate_rps",
           [](const run_record& r) -> cell {
               return decimal{r.options.load.rate, 1};
           }},
    column{"size_bytes", [](const run_record& r) -> cell { return u64{r.options.load.size}; }},
    column{
        "warmup_s",
        [](const run_record& r) -> cell { return seconds(r.options.load.warmup.count() / 1e9); }},
    column{
        "duration_s",
        [](const run_record& r) -> cell { return seconds(r.options.load.duration.count() / 1e9); }},
    column{"measured_s",
           [](const run_record& r) {
               return if_loaded(r, [](auto& x) { return seconds(x.measured_s); });
           }},
    column{"requests",
           [](const run_record& r) { return if_loaded(r, [](auto& x) { return x.requests; }); }},
    column{
        "errors",
        [](const run_record& r) { return if_loaded(r, [](auto& x) { return x.errors.total(); }); }},
    column{
        "errors_connect",
        [](const run_record& r) { return if_loaded(r, [](auto& x) { return x.errors.connect; }); }},
    column{
        "errors_reset",
        [](const run_record& r) { return if_loaded(r, [](auto& x) { return x.errors.reset; }); }},
    column{
        "errors_closed",
        [](const run_record& r) { return if_loaded(r, [](auto& x) { return x.errors.closed; }); }},
    column{
        "errors_timeout",
        [](const run_record& r) { return if_loaded(r, [](auto& x) { return x.errors.timeout; }); }},
    column{
        "errors_wrong",
        [](const run_record& r) { return if_loaded(r, [](auto& x) { return x.errors.wrong; }); }},
    column{"errors_reordered",
           [](const run_record& r) {
               return if_loaded(r, [](auto& x) { return x.errors.reordered; });
           }},
    column{
        "errors_missing",
        [](const run_record& r) { return if_loaded(r, [](auto& x) { return x.errors.missing; }); }},
    column{"throughput_rps",
           [](const run_record& r) {
               return if_loaded(r, [](auto& x) { return decimal{x.throughput(), 1}; });
           }},
    column{"latency_min_us",
           [](const run_record& r) { return percentile(r, r.latency, &latency_summary::min); }},
    column{"latency_p50_us",
           [](const run_record& r) { return percentile(r, r.latency, &latency_summary::p50); }},
    column{"latency_p90_us",
           [](const run_record& r) { return percentile(r, r.latency, &latency_summary::p90); }},
    column{"latency_p99_us",
           [](const run_record& r) { return percentile(r, r.latency, &latency_summary::p99); }},
    column{"latency_p999_us",
           [](const run_record& r) { return percentile(r, r.latency, &latency_summary::p999); }},
    column{"latency_p9999_us",
           [](const run_record& r) { return percentile(r, r.latency, &latency_summary::p9999); }},
    column{"latency_max_us",
           [](const run_record& r) { return percentile(r, r.latency, &latency_summary::max); }},
    column{"latency_mean_us",
           [](const run_record& r) {
               return r.loaded && r.latency.count ? cell{decimal{r.latency.mean / 1e3, 1}} : cell{};
           }},
    column{"service_p50_us",
           [](const run_record& r) { return percentile(r, r.service, &latency_summary::p50); }},
    column{"service_p99_us",
           [](const run_record& r) { return percentile(r, r.service, &latency_summary::p99); }},
    column{"max_schedule_lag_ms",
           [](const run_record& r) -> cell {
               return r.loaded && r.options.load.rate > 0 ? ms(r.max_lag_ns) : cell{};
           }},
    column{"connects",
           [](const run_record& r) { return if_loaded(r, [](auto& x) { return x.connects; }); }},
    column{"connect_p50_us",
           [](const run_record& r) -> cell {
               return r.loaded && r.connect_latency.count ? us(r.connect_latency.p50) : cell{};
           }},
    column{"connect_p99_us",
           [](const run_record& r) -> cell {
               return r.loaded && r.connect_latency.count ? us(r.connect_latency.p99) : cell{};
           }},
    column{"server_user_cpu_s",
           [](const run_record& r) {
               return if_server(r, [](auto& s) { return seconds(s.user_s); });
           }},
    column{
        "server_sys_cpu_s",
        [](const run_record& r) { return if_server(r, [](auto& s) { return seconds(s.sys_s); }); }},
    column{"server_cpu_us_per_request",
           [](const run_record& r) -> cell {
               if (!r.server || !r.loaded || r.requests == 0) return {};
               return decimal{r.server_cpu_s() * 1e6 / static_cast<double>(r.requests), 2};
           }},
    column{"server_peak_memory_kib",
           [](const run_record& r) {
               return if_server(r, [](auto& s) { return s.peak_memory_kib; });
           }},
    column{
        "server_memory_metric",
        [](const run_record& r) { return if_server(r, [](auto& s) { return s.memory_metric; }); }},
    column{"server_voluntary_switches",
           [](const run_record& r) {
               return if_server(r, [](auto& s) { return s.voluntary_switches; });
           }},
    column{"server_involuntary_switches",
           [](const run_record& r) {
               return if_server(r, [](auto& s) { return s.involuntary_switches; });
           }},
    column{"server_peak_threads",
           [](const run_record& r) {
               return if_server(r, [](auto& s) { return u64{s.peak_threads}; });
           }},
    column{"server_peak_processes",
           [](const run_record& r) {
               return if_server(r, [](auto& s) { return u64{s.peak_processes}; });
           }},
    column{"presence",
           [](const run_record& r) -> cell {
               return std::string(presence_state_name(r.presence.state));
           }},
    column{
        "presence_checks",
        [](const run_record& r) { return if_checked(r, [](auto& p) { return u64{p.checks}; }); }},
    column{
        "presence_failures",
        [](const run_record& r) { return if_checked(r, [](auto& p) { return u64{p.failures}; }); }},
    column{"presence_max_convergence_ms",
           [](const run_record& r) -> cell {
               if (!converged(r)) return {};
               return ms(r.presence.max_convergence_ns);
           }},
    column{"presence_median_convergence_ms",
           [](const run_record& r) -> cell {
               if (!converged(r)) return {};
               return ms(r.presence.median_convergence_ns);
           }},
    column{"generator_cpu_s",
           [](const run_record& r) -> cell {
               if (!r.loaded || !r.generator_cpu) return {};
               return seconds(r.generator_cpu->user_s + r.generator_cpu->sys_s);
           }},
    column{"generator_cpu_us_per_request",
           [](const run_record& r) -> cell {
               if (!r.loaded || !r.generator_window_cpu_s || r.requests == 0) return {};
               return decimal{*r.generator_window_cpu_s * 1e6 / static_cast<double>(r.requests), 2};
           }},
    column{"machine", [](const run_record& r) -> cell { return r.machine; }},
    column{"note",
           [](const run_record& r) -> cell {
               std::string note = r.skipped;
               for (const auto& p : r.problems) note += (note.empty() ? "" : "; ") + p;
               return note;
           }},
    column{"server_memory_per_connection_kib",
           [](const run_record& r) -> cell {
               const auto v = r.server_memory_per_connection_kib();
               return r.loaded && v ? cell{decimal{*v, 3}} : cell{};
           }},
    column{"kernel_memory_per_connection_kib",
           [](const run_record& r) -> cell {
               const auto v = r.kernel_memory_per_connection_kib();
               return r.loaded && v ? cell{decimal{*v, 3}} : cell{};
           }},
    column{"unanswered",
           [](const run_record& r) { return if_loaded(r, [](auto& x) { return x.unanswered; }); }},
    column{"unsent",
           [](const run_record& r) -> cell {
               const bool scheduled = r.options.load.rate > 0 || r.options.kind == scenario::idle ||
                                      r.options.load.requests > 0;
               return r.loaded && scheduled ? cell{r.unsent} : cell{};
           }},
    column{"max_in_flight",
           [](const run_record& r) -> cell {
               if (r.options.kind == scenario::presence) return {};
               return u64{max_in_flight(r.options)};
           }},
    column{"generator_server_cpu_ratio",
           [](const run_record& r) -> cell {
               const auto ratio = r.generator_server_cpu_ratio();
               return ratio ? cell{decimal{*ratio, 2}} : cell{};
           }},
    column{"load_average_1m",
           [](const run_record& r) -> cell {
               return r.load_average ? cell{decimal{*r.load_average, 2}} : cell{};
           }},
    column{"cpu_governor",
           [](const run_record& r) -> cell {
               return r.cpu_governor.empty() ? cell{} : cell{r.cpu_governor};
           }},
    column{"generator_bottleneck",
           [](const run_record& r) -> cell {
               return r.loaded ? cell{std::string(r.generator_bound ? "yes" : "no")} : cell{};
           }},
    column{"requested",
           [](const run_record& r) -> cell {
               return r.options.load.requests > 0 ? cell{u64{r.options.load.requests}} : cell{};
           }},
    column{"sent",
           [](const run_record& r) -> cell {
               return r.loaded && r.options.load.requests > 0 ? cell{u64{r.sent}} : cell{};
           }},
    column{"ranks",
           [](const run_record& r) -> cell {
               return static_cast<u64>(r.ranks.empty() ? 1 : r.ranks.size());
           }},
    column{"generator_rank_cpu_s",
           [](const run_record& r) -> cell {
               if (!r.loaded || r.ranks.empty()) return {};
               std::string each;
               for (const auto& rank : r.ranks)
                   each += fmt::format("{}{:.3f}", each.empty() ? "" : ";", rank.generator_cpu_s);
               return each;
           }},
};

}  // namespace

std::span<const column> columns() {
    return all_columns;
}

}  // namespace robotbench
