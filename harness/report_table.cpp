#include "report_table.hpp"

#include <fmt/core.h>

#include "duration.hpp"
#include "text_table.hpp"
#include "units.hpp"

namespace robotbench {

namespace {

constexpr std::string_view not_applicable = "n/a";

std::string subject(const run_record& r) {
    if (!r.backend.empty()) return fmt::format("{} backend", r.backend);
    return fmt::format("server at {}", r.target);
}

std::vector<std::string> latency_cells(std::string label, const latency_summary& l) {
    if (l.count == 0)
        return {std::move(label), "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"};
    return {std::move(label),
            format_latency(l.min),
            format_latency(l.p50),
            format_latency(l.p90),
            format_latency(l.p99),
            format_latency(l.p999),
            format_latency(l.p9999),
            format_latency(l.max),
            format_latency(static_cast<std::uint64_t>(l.mean))};
}

// One latency value, or n/a when nothing was recorded.
std::string latency_or_na(const latency_summary& l, std::uint64_t value_ns) {
    return l.count == 0 ? std::string(not_applicable) : format_latency(value_ns);
}

std::string cpu_per_request(double cpu_s, std::uint64_t requests) {
    if (requests == 0) return std::string(not_applicable);
    return fmt::format("{:.2f} µs/request", cpu_s * 1e6 / static_cast<double>(requests));
}

// Latency rows: the round trip (closed loop), or latency from the schedule and service time.
std::string latency_block(const run_record& r) {
    text_table t;
    t.add_row({"Latency", "min", "p50", "p90", "p99", "p99.9", "p99.99", "max", "mean"});
    if (r.options.kind == scenario::idle) {
        t.add_row(latency_cells("  probes, from schedule", r.latency));
        t.add_row(latency_cells("  probes, service time", r.service));
    } else if (r.options.load.rate > 0) {
        t.add_row(latency_cells("  from schedule", r.latency));
        t.add_row(latency_cells("  service time", r.service));
    } else {
        t.add_row(latency_cells("  round trip", r.latency));
    }
    if (r.connect_latency.count != 0) t.add_row(latency_cells("  connect", r.connect_latency));
    return t.render("  ");
}

void load_lines(const run_record& r, text_table& t) {
    t.add_row({"Requests",
               fmt::format("{} in {:.2f} s measured", format_count(r.requests), r.measured_s)});
    if (r.options.load.requests > 0) {
        const std::uint64_t settled = r.requests + r.unanswered;
        t.add_row({"Requested",
                   fmt::format("{}: {} sent, {} validated, {} failed, {} unanswered, {} never sent",
                               format_count(r.options.load.requests), format_count(r.sent),
                               format_count(r.requests),
                               format_count(r.sent > settled ? r.sent - settled : 0),
                               format_count(r.unanswered), format_count(r.unsent))});
    }
    t.add_row({"Throughput", fmt::format("{} req/s", format_rate(r.throughput()))});
    if (r.options.kind == scenario::churn && r.measured_s > 0)
        t.add_row({"Connects", fmt::format("{} ({} connects/s)", format_count(r.connects),
                                           format_rate(r.connects / r.measured_s))});
    if (r.options.kind == scenario::load) {
        std::string line = fmt::format("{} sent and not yet answered", format_count(r.unanswered));
        if (r.options.load.rate > 0)
            line += fmt::format(", {} due and never sent", format_count(r.unsent));
        line += " when the window closed (in the latency with the time they had waited)";
        t.add_row({"Unanswered", line});
    }
    t.add_row({"Errors", r.errors.total() == 0
                             ? std::string("none")
                             : fmt::format("{} ({})", format_count(r.errors.total()),
                                           error_kinds(r.errors))});
    if (r.options.load.rate > 0)
        t.add_row({"Schedule lag", fmt::format("max {} behind the open-loop schedule",
                                               format_latency(r.max_lag_ns))});
}

void cost_lines(const run_record& r, text_table& t) {
    if (!r.server) {
        t.add_row({"Server cost", r.backend.empty()
                                      ? "n/a (a server this run did not start)"
                                      : "n/a (the server did not last the measured window)"});
    } else {
        const auto& s = *r.server;
        const double cpu = s.user_s + s.sys_s;
        const double share = r.measured_s > 0 ? 100.0 * cpu / r.measured_s : 0.0;
        t.add_row({"Server CPU",
                   fmt::format("{:.2f} s user + {:.2f} s sys = {:.2f} s ({:.0f}% of one core), {}",
                               s.user_s, s.sys_s, cpu, share, cpu_per_request(cpu, r.requests))});
        t.add_row(
            {"Server memory", fmt::format("{} peak ({}, summed over the process tree)",
                                          format_memory(s.peak_memory_kib), s.memory_metric)});
        if (const auto user = r.server_memory_per_connection_kib()) {
            const auto kernel = r.kernel_memory_per_connection_kib();
            t.add_row({"Memory/connection",
                       fmt::format("{:.2f} KiB server ({}), {} kernel (system-wide, both ends), "
                                   "over {} connections",
                                   *user, s.memory_metric,
                                   kernel ? fmt::format("{:.2f} KiB", *kernel)
                                          : std::string(not_applicable),
                                   format_count(r.connections_held))});
        }
        t.add_row({"Server tree", fmt::format("peak {} thread{}, {} process{}", s.peak_threads,
                                              s.peak_threads == 1 ? "" : "s", s.peak_processes,
                                              s.peak_processes == 1 ? "" : "es")});
        t.add_row({"Context switches", fmt::format("{} voluntary, {} involuntary (measured window)",
                                                   format_count(s.voluntary_switches),
                                                   format_count(s.involuntary_switches))});
    }
    if (r.generator_cpu) {
        std::string line = fmt::format("{:.2f} s user + {:.2f} s sys over the run",
                                       r.generator_cpu->user_s, r.generator_cpu->sys_s);
        if (r.generator_window_cpu_s)
            line += fmt::format(", {} in the measured window",
                                cpu_per_request(*r.generator_window_cpu_s, r.requests));
        if (const auto ratio = r.generator_server_cpu_ratio())
            line += fmt::format(" ({:.2f}x the server's CPU)", *ratio);
        t.add_row({"Generator CPU", line});
    }
}

std::string verdict_reasons(const run_record& r);

// What may have disturbed the run: the load before it, and how the CPUs were clocked.
std::string machine_text(const run_record& r) {
    return fmt::format("load average {} before the run (1 min); CPU frequency governor: {}",
                       r.load_average ? fmt::format("{:.2f}", *r.load_average) : "n/a",
                       r.cpu_governor.empty() ? "not readable" : r.cpu_governor);
}

std::string presence_text(const presence_summary& p) {
    switch (p.state) {
        case presence_state::off:
            return "not checked (--no-presence)";
        case presence_state::skipped:
            return fmt::format("skipped: {}", p.note);
        case presence_state::passed:
        case presence_state::failed:
            if (p.checks == p.failures)  // no count ever converged: nothing to time
                return fmt::format("{} of {} checks passed", 0, p.checks);
            return fmt::format("{} of {} checks passed; convergence max {}, median {}",
                               p.checks - p.failures, p.checks,
                               format_latency(p.max_convergence_ns),
                               format_latency(p.median_convergence_ns));
    }
    return {};
}

std::string verdict(const run_record& r) {
    if (r.interrupted) {
        std::string text =
            r.options.load.requests > 0
                ? fmt::format("INTERRUPTED after {:.2f} s and {} of the {} requests", r.measured_s,
                              format_count(r.requests), format_count(r.options.load.requests))
                : fmt::format("INTERRUPTED after {:.2f} s of the {} measured window", r.measured_s,
                              duration_text(r.options.load.duration));
        if (r.failed()) text += "; " + verdict_reasons(r);
        return text;
    }
    if (!r.failed()) return "OK";
    return "FAILED: " + verdict_reasons(r);
}

std::string verdict_reasons(const run_record& r) {
    std::vector<std::string> why = r.problems;
    if (r.errors.total() != 0)
        why.push_back(
            fmt::format("{} errors ({})", format_count(r.errors.total()), error_kinds(r.errors)));
    if (r.presence.state == presence_state::failed)
        why.push_back(
            fmt::format("{} of {} presence checks failed", r.presence.failures, r.presence.checks));
    std::string text;
    for (std::size_t i = 0; i < why.size(); ++i) text += (i ? "; " : "") + why[i];
    return text;
}

}  // namespace

namespace {

// A distributed run: the generator threads are at most that many on each rank, for its share.
std::string ranks_text(const run_record& r) {
    if (r.ranks.empty()) return {};
    std::string hosts;
    for (const auto& rank : r.ranks) hosts += (hosts.empty() ? "" : ", ") + rank.host;
    return fmt::format(" at most on each of {} ranks ({})", r.ranks.size(), hosts);
}

}  // namespace

std::string run_heading(const run_record& r) {
    const auto& o = r.options;
    std::string what = fmt::format("{}, {}", subject(r), scenario_name(o.kind));
    if (o.kind == scenario::presence) return what;
    if (o.kind == scenario::idle)
        return what + fmt::format(
                          ", {} idle connections sending one request every {} each, {} probes at "
                          "{} req/s, {} generator thread{}{}, {}-byte payloads, {} warm-up + {} "
                          "measured",
                          o.load.connections, duration_text(o.idle_interval), idle_probes,
                          format_rate(o.probe_rate), o.load.threads, o.load.threads == 1 ? "" : "s",
                          ranks_text(r), o.load.size, duration_text(o.load.warmup),
                          duration_text(o.load.duration));
    if (o.kind == scenario::churn)
        what += fmt::format(", at most {} connections open", o.load.connections);
    else
        what += fmt::format(", {} connections", o.load.connections);
    what += fmt::format(", {} generator thread{}", o.load.threads, o.load.threads == 1 ? "" : "s");
    what += ranks_text(r);
    if (o.kind == scenario::churn)
        what += fmt::format(", {} connects/s of {} requests each", format_rate(o.connect_rate),
                            o.requests_per_connection);
    if (o.kind == scenario::load && o.load.rate > 0)
        what += fmt::format(", open loop at {} req/s, up to {} requests in flight per connection",
                            format_rate(o.load.rate), format_count(max_in_flight(o)));
    else
        what += fmt::format(", pipeline {}, closed loop", o.load.pipeline);
    what += fmt::format(
        ", {}-byte payloads, {} warm-up + {} measured", o.load.size, duration_text(o.load.warmup),
        o.load.requests > 0 ? fmt::format("{} requests", format_count(o.load.requests))
                            : duration_text(o.load.duration));
    return what;
}

std::string error_kinds(const loadgen::error_counts& e) {
    std::string out;
    const auto add = [&](std::string_view name, std::uint64_t n) {
        if (n == 0) return;
        if (!out.empty()) out += ", ";
        out += fmt::format("{} {}", name, format_count(n));
    };
    add("connect", e.connect);
    add("reset", e.reset);
    add("closed", e.closed);
    add("timeout", e.timeout);
    add("wrong", e.wrong);
    add("reordered", e.reordered);
    add("missing", e.missing);
    return out;
}

std::string run_report(const run_record& r) {
    std::string out = run_heading(r) + "\n\n";
    text_table t(text_table::layout::labels);
    if (r.loaded) {
        out += latency_block(r);
        out += '\n';
        load_lines(r, t);
        cost_lines(r, t);
    }
    if (r.load_average || !r.cpu_governor.empty()) t.add_row({"Machine", machine_text(r)});
    t.add_row({"Presence", presence_text(r.presence)});
    t.add_row({"Result", verdict(r)});
    out += t.render("  ");
    for (const auto& line : r.presence.details)
        out += fmt::format("  presence failure: {}\n", line);
    for (const auto& line : r.warnings) out += fmt::format("  warning: {}\n", line);
    return out;
}

std::string quiet_line(const run_record& r) {
    const std::string name = r.backend.empty() ? r.target : r.backend;
    if (!r.loaded) return fmt::format("{}: {}, no load measured", name, r.status());
    return fmt::format("{}: {} req/s, p50 {}, p99 {}, {} errors", name, format_rate(r.throughput()),
                       latency_or_na(r.latency, r.latency.p50),
                       latency_or_na(r.latency, r.latency.p99), format_count(r.errors.total()));
}

std::string comparison_table(std::span<const run_record> runs) {
    text_table t;
    t.add_row({"backend", "status", "throughput", "p50", "p99", "p99.9", "max", "errors",
               "server CPU", "peak memory", "presence"});
    for (const auto& r : runs) {
        const std::string name = r.backend.empty() ? r.target : r.backend;
        if (!r.loaded) {
            t.add_row({name, r.status(), "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a",
                       presence_state_name(r.presence.state)});
            continue;
        }
        t.add_row({name, r.status(), fmt::format("{} req/s", format_rate(r.throughput())),
                   latency_or_na(r.latency, r.latency.p50), latency_or_na(r.latency, r.latency.p99),
                   latency_or_na(r.latency, r.latency.p999),
                   latency_or_na(r.latency, r.latency.max), format_count(r.errors.total()),
                   r.server ? cpu_per_request(r.server_cpu_s(), r.requests) : "n/a",
                   r.server ? format_memory(r.server->peak_memory_kib) : "n/a",
                   presence_state_name(r.presence.state)});
    }
    return t.render();
}

}  // namespace robotbench
