// `robotbench slo`: the search for each backend's sustainable rate, its progress lines, and the
// files it writes.

#include <fmt/core.h>
#include <signal.h>

#include <filesystem>
#include <stdexcept>
#include <variant>

#include "cell_summary.hpp"
#include "csv_writer.hpp"
#include "interrupt.hpp"
#include "text_file.hpp"
#include "output_check.hpp"
#include "plot_script.hpp"
#include "presence_check.hpp"
#include "report_table.hpp"
#include "run.hpp"
#include "run_outputs.hpp"
#include "slo.hpp"
#include "slo_report.hpp"
#include "units.hpp"

namespace robotbench {

namespace {

// What every search of one invocation shares. Used by the main thread.
struct slo_context {
    const slo_options& options;
    const environment& env;
    status_line& status;
    csv_output& runs_csv;
    std::FILE* to;
    bool written = true;  // every run's row reached runs.csv
};

// One run against the backend (a fresh server) or the target, its row appended at once.
run_record measure(const std::string& backend, const run_options& o, slo_context& ctx) {
    run_record r = backend.empty() ? run_target(o, ctx.env, ctx.status)
                                   : run_backend(backend, o, {}, ctx.env, ctx.status);
    try {
        ctx.runs_csv.append(std::span(&r, 1));
    } catch (const std::exception& e) {
        if (ctx.written)
            fmt::print(stderr, "robotbench slo: cannot write the runs' CSV: {}\n", e.what());
        ctx.written = false;
    }
    return r;
}

// Why a run fails its step besides the percentile: its problems, errors and presence failures.
std::string failure_text(const run_record& r) {
    std::vector<std::string> why = r.problems;
    if (r.errors.total() != 0)
        why.push_back(fmt::format("{} errors ({})", r.errors.total(), error_kinds(r.errors)));
    if (r.presence.state == presence_state::failed)
        why.push_back(
            fmt::format("{} of {} presence checks failed", r.presence.failures, r.presence.checks));
    std::string text;
    for (const auto& w : why) text += (text.empty() ? "" : "; ") + w;
    return text;
}

// Runs one step: `repeat` runs at `rate` (the presence check after the last), stopping at the
// first run that fails.
slo_step run_step(const std::string& backend, unsigned index, double rate, slo_context& ctx,
                  bool& interrupted) {
    const auto& o = ctx.options;
    slo_step step;
    step.index = index;
    step.rate = rate;
    std::vector<double> percentile, throughput;
    bool failed = false;
    for (unsigned round = 0; round < o.base.repeat && !failed; ++round) {
        auto ro = o.base;
        ro.load.rate = rate;
        ro.presence_check = o.base.presence_check && round + 1 == o.base.repeat;
        const auto r = measure(backend, ro, ctx);
        ++step.runs;
        step.errors += r.errors.total();
        step.generator_bound = step.generator_bound || r.generator_bound;
        if (wants_presence(ro)) step.presence = presence_state_name(r.presence.state);
        if (counts_in_statistics(r)) {
            percentile.push_back(static_cast<double>(percentile_ns(r, *o.percentile)) / 1e3);
            throughput.push_back(r.throughput());
        }
        if (r.interrupted) {
            interrupted = true;
            step.note = "interrupted";
            failed = true;
        } else if (r.failed()) {
            step.note = failure_text(r);
            failed = true;
        }
    }
    if (!percentile.empty()) {
        step.percentile_us = stats::median_ci(percentile);
        step.throughput = stats::median(throughput);
    }
    const double target_us = static_cast<double>(o.target.count()) / 1e3;
    step.passed = !failed && step.percentile_us && step.percentile_us->median <= target_us;
    if (!failed && !step.percentile_us) step.note = "no run measured anything";
    return step;
}

// The closed-loop throughput the search starts from; nullopt (with the reason in res) when the
// run failed.
std::optional<double> closed_loop_start(const std::string& backend, slo_context& ctx,
                                        slo_result& res) {
    auto ro = ctx.options.base;
    ro.load.rate = 0;
    ro.presence_check = false;
    fmt::print(ctx.to, "{}: closed loop, to start the search from its throughput\n",
               backend.empty() ? "target" : backend);
    std::fflush(ctx.to);
    const auto r = measure(backend, ro, ctx);
    res.target = r.target;
    if (r.interrupted) {
        res.interrupted = true;
        return std::nullopt;
    }
    if (r.failed() || !counts_in_statistics(r)) {
        const auto why = failure_text(r);
        res.problems.push_back("the closed-loop run failed" + (why.empty() ? "" : ": " + why));
        return std::nullopt;
    }
    fmt::print(ctx.to, "  {} req/s closed loop\n", format_rate(r.throughput()));
    return r.throughput();
}

slo_result search(const std::string& backend, slo_context& ctx) {
    const auto& o = ctx.options;
    slo_result res;
    res.backend = backend;
    if (o.base.target) res.target = fmt::format("{}:{}", o.base.target->host, o.base.target->port);
    auto settings = o.search;
    if (settings.start_rate <= 0) {
        const auto start = closed_loop_start(backend, ctx, res);
        if (!start) {
            res.stop_reason = res.interrupted ? "interrupted" : "not searched";
            return res;
        }
        res.closed_loop_rps = start;
        settings.start_rate = *start;
    }
    rate_search rates(settings);
    bool interrupted = false;
    while (const auto rate = rates.next()) {
        const auto step =
            run_step(backend, static_cast<unsigned>(res.steps.size() + 1), *rate, ctx, interrupted);
        fmt::print(ctx.to, "{}\n", slo_step_line(step, o));
        std::fflush(ctx.to);
        res.steps.push_back(step);
        if (interrupted) break;
        rates.record(*rate, step.passed);
    }
    res.interrupted = interrupted;
    res.sustainable = rates.sustainable();
    res.breaking = rates.breaking();
    res.stop_reason = interrupted ? "interrupted" : rates.stop_reason();
    return res;
}

// The backends to search (empty name: the target), or an exit status after a usage error.
std::variant<std::vector<std::string>, int> subjects(const slo_options& o) {
    if (o.base.target) return std::vector<std::string>{""};
    const auto selection = expand_backends(o.base.backend_list);
    if (!selection.error.empty()) {
        fmt::print(stderr, "robotbench slo: {}\n", selection.error);
        return 2;
    }
    std::vector<std::string> names;
    const bool every = o.base.backend_list.find("all") != std::string::npos;
    for (const auto& backend : selection.names) {
        if (const auto why = capacity_problem(backend, o.base); !why.empty()) {
            fmt::print(stderr, "robotbench slo: {}{}\n", why,
                       every ? " (left out)" : " (use fewer connections)");
            if (!every) return 2;
            continue;
        }
        names.push_back(backend);
    }
    if (names.empty()) return 2;
    return names;
}

// The files the search writes, in its output folder.
struct slo_files {
    std::string steps, runs, json, chart;
};

slo_files files_in(const std::string& dir) {
    return {dir + "/steps.csv", dir + "/runs.csv", dir + "/slo.json", dir + "/slo.png"};
}

}  // namespace

int slo_command(slo_options o) {
    if (!o.percentile || o.target.count() <= 0) {
        fmt::print(stderr,
                   "robotbench slo: give the latency target: one of --p50, --p99 or --p999 with a "
                   "duration (e.g. --p99 1ms)\n");
        return 2;
    }
    if (const auto error = check_run_options(o.base); !error.empty()) {
        fmt::print(stderr, "robotbench slo: {}\n", error);
        return 2;
    }
    o.base.load.threads = generator_threads(o.base);
    const auto chosen = subjects(o);
    if (const auto* status = std::get_if<int>(&chosen)) return *status;
    const auto& names = std::get<std::vector<std::string>>(chosen);
    const auto files = files_in(o.out_dir);
    for (const auto& path : {files.steps, files.runs, files.json, files.chart}) {
        if (const auto problem = output_problem(path, false); !problem.empty()) {
            fmt::print(stderr, "robotbench slo: {}\n", problem);
            return 2;
        }
    }
    std::error_code ec;
    std::filesystem::remove(files.runs, ec);  // this search's runs only
    ::signal(SIGPIPE, SIG_IGN);
    const interrupt_guard interrupt;
    const environment env = current_environment();
    std::FILE* const to = stdout;
    status_line status(to);
    csv_output runs_csv(files.runs);
    slo_context ctx{o, env, status, runs_csv, to};
    fmt::print(to,
               "slo: the highest rate at which {} stays at or under {}: {} run{} of {} (+ {} "
               "warm-up) per step, at most {} steps, resolution {:g}%\n",
               percentile_label(*o.percentile), format_latency(o.target.count()), o.base.repeat,
               o.base.repeat == 1 ? "" : "s", format_latency(o.base.load.duration.count()),
               format_latency(o.base.load.warmup.count()), o.search.max_steps, o.search.resolution_pct);
    std::vector<slo_result> results;
    for (const auto& name : names) {
        if (interrupt.requested()) break;
        if (!name.empty()) fmt::print(to, "\n");
        results.push_back(search(name, ctx));
    }
    fmt::print(to, "\n{}", slo_table(results, o));
    bool ok = ctx.written;
    try {
        write_slo_steps_csv(files.steps, results, o, env);
        write_text_file(files.json, slo_json(results, o, env));
        fmt::print(to, "steps: {}\nruns: {}\nJSON: {}\n", files.steps, files.runs, files.json);
    } catch (const std::exception& e) {
        fmt::print(stderr, "robotbench slo: cannot write the results: {}\n", e.what());
        ok = false;
    }
    std::fflush(to);
    if (o.chart && !results.empty()) {
        if (run_plot_script({"--slo", files.steps, "--out", o.out_dir}, to))
            fmt::print(to, "chart: {}\n", files.chart);
        else
            ok = false;
    }
    if (interrupt.requested()) return 130;
    for (const auto& r : results) ok = ok && r.problems.empty();
    return ok ? 0 : 1;
}

}  // namespace robotbench
