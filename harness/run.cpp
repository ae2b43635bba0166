#include "run.hpp"

#include <fmt/core.h>
#include <signal.h>

#include <stdexcept>
#include <type_traits>

#include "bottleneck.hpp"
#include "cell_summary.hpp"
#include "cost_sampler.hpp"
#include "interrupt.hpp"
#include "latency_spectrum.hpp"
#include "loadgen/intervals.hpp"
#include "loadgen/load.hpp"
#include "loadgen/usage_error.hpp"
#include "noise.hpp"
#include "presence_check.hpp"
#include "report_table.hpp"
#include "run_files.hpp"
#include "run_outputs.hpp"
#include "run_ranks.hpp"
#include "server_under_test.hpp"
#include "sweep.hpp"
#include "target_probe.hpp"

namespace robotbench {

namespace {

run_record new_record(const run_options& options, const environment& env) {
    run_record r;
    r.timestamp = utc_timestamp(std::chrono::system_clock::now());
    r.git_revision = env.git_revision;
    r.machine = fmt::format("{} ({} cores)", env.cpu_model, env.cores);
    r.options = options;
    const auto noise = read_machine_noise();
    r.load_average = noise.load_average;
    r.cpu_governor = noise.cpu_governor;
    return r;
}

// The run ends early when the user interrupts it.
template <typename Config>
Config stoppable(Config c) {
    if constexpr (std::is_same_v<Config, loadgen::load_config>)
        c.stop = &interrupt_guard::requested();
    else
        c.load.stop = &interrupt_guard::requested();
    return c;
}

// Runs the load or churn against `target`, sampling `server_pid`'s tree (if > 0) and this
// process, and fills the load and cost parts of `r`.
void measure_load(run_record& r, const loadgen::endpoint& target, pid_t server_pid,
                  const std::string& hgrm_path, status_line& status, rank_group* group) {
    const std::string label = r.backend.empty() ? r.target : r.backend;
    const auto on_progress = [&](const loadgen::progress& p) { status.show(label, p); };
    rank_start start;
    const auto config = share_of(stoppable(load_config_for(r.options, target)), group, start);
    if (group != nullptr) agree_on_settings(config, r.options, *group);
    const double ranks = group ? group->size() : 1;
    cost_sampler sampler(server_pid);
    loadgen::load_result result;
    std::string failure;
    try {
        if (r.options.kind == scenario::churn) {
            loadgen::churn_config churn;
            churn.load = config;
            churn.connect_rate = r.options.connect_rate / ranks;
            churn.requests_per_connection = r.options.requests_per_connection;
            result = loadgen::run_churn(churn, on_progress);
        } else if (r.options.kind == scenario::idle) {
            loadgen::idle_config idle;
            idle.load = config;
            idle.interval = r.options.idle_interval;
            idle.probes = idle_probes;
            idle.probe_rate = r.options.probe_rate / ranks;
            auto both = loadgen::run_idle(idle, on_progress);
            // Latency is the probes'; every request and error of every connection counts.
            result = std::move(both.probes);
            result.requests += both.idle.requests;
            result.unanswered += both.idle.unanswered;
            result.unsent += both.idle.unsent;
            result.errors += both.idle.errors;
            result.connects += both.idle.connects;
            loadgen::add_counts(result.intervals, both.idle.intervals);
            r.connections_held = r.options.load.connections + idle_probes * std::uint64_t(ranks);
        } else {
            result = loadgen::run_load(config, on_progress);
            r.connections_held = r.options.load.connections;
        }
    } catch (const usage_error& e) {
        status.clear();
        // The other ranks may be waiting at the start line for this one: end them all.
        if (group != nullptr && !start.started) group->abort(e.what());
        if (group == nullptr) throw;
        failure = fmt::format("the load generator refused the settings: {}", e.what());
    } catch (const std::exception& e) {
        status.clear();
        if (group != nullptr && !start.started) group->abort(e.what());
        failure = fmt::format("the load generator failed: {}", e.what());
    }
    if (group != nullptr) {
        // Every rank learns which failed before any merges; a failed run merges nothing.
        const auto failed = group->failures(failure);
        if (!failed.empty()) {
            r.problems.insert(r.problems.end(), failed.begin(), failed.end());
            return;
        }
    } else if (!failure.empty()) {
        r.problems.push_back(failure);
        return;
    }
    const auto returned = sample_clock::now();
    sampler.finish();
    status.clear();
    // Charge both sides for the same stretch of time: the measured window as the generator saw
    // it (after it, the generator only drains replies still in flight).
    auto begin = result.window_begin, end = result.window_end;
    if (end == sample_clock::time_point{}) {
        end = returned;
        begin = end - std::chrono::duration_cast<sample_clock::duration>(result.measured);
    }

    if (group != nullptr) {
        record_shares(r, config, result, sampler.self_window_cpu_s(begin, end), start, *group);
        group->merge(result);
    }
    r.loaded = true;
    r.interrupted = result.interrupted;
    r.requests = result.requests;
    r.unanswered = result.unanswered;
    r.unsent = result.unsent;
    r.sent = result.sent;
    r.errors = result.errors;
    // -n: a shortfall that no counted error explains (a stall) fails the run too.
    if (r.options.load.requests > 0 && !r.interrupted && r.requests != r.options.load.requests &&
        r.errors.total() == 0)
        r.problems.push_back(fmt::format("{} of the {} requested requests were validated",
                                         r.requests, r.options.load.requests));
    r.measured_s = std::chrono::duration<double>(result.measured).count();
    r.latency = summarize(result.latency);
    r.service = summarize(result.service);
    r.max_lag_ns = static_cast<std::uint64_t>(std::max<std::int64_t>(0, result.max_lag.count()));
    r.connects = result.connects;
    r.connect_latency = summarize(result.connect_latency);
    r.generator_cpu = result.generator_cpu;
    r.generator_window_cpu_s = sampler.self_window_cpu_s(begin, end);
    if (!r.ranks.empty()) {
        double total = 0;
        for (const auto& rank : r.ranks) total += rank.generator_window_cpu_s;
        r.generator_window_cpu_s = total;
    }
    if (server_pid > 0) r.server = sampler.server_window(begin, end);
    if (r.options.latency_spectrum) r.latency_spectrum = latency_spectrum(result.latency);
    write_run_hgrm(r, hgrm_path, result.latency);
    // Under mpirun rank 0's intervals are every rank's, merged.
    r.timeline = timeline_of(result.intervals, record_interval(r.options));
    write_run_hlog(r, result);
}

// Prints a run's report (-q: its one summary line, and on stderr what went wrong) as soon as
// it is done; with --latency, the percentile spectrum after it.
void print_report(const run_record& r, std::FILE* to) {
    if (r.options.quiet) {
        fmt::print(to, "{}\n", quiet_line(r));
        std::fflush(to);
        const std::string name = r.backend.empty() ? r.target : r.backend;
        for (const auto& problem : r.problems)
            fmt::print(stderr, "robotbench: {}: {}\n", name, problem);
        for (const auto& line : r.presence.details)
            fmt::print(stderr, "robotbench: {}: presence failure: {}\n", name, line);
        for (const auto& line : r.warnings)
            fmt::print(stderr, "robotbench: {}: warning: {}\n", name, line);
        return;
    }
    fmt::print(to, "{}\n", run_report(r));
    if (!r.latency_spectrum.empty()) fmt::print(to, "{}\n", r.latency_spectrum);
    std::fflush(to);
}

// The comparison and the repeats' summary, the files; the exit status.
int finish(const run_options& o, const environment& env, const std::vector<run_record>& runs,
           bool several_backends, std::FILE* to) {
    if (several_backends && runs.size() > 1 && !o.quiet)
        fmt::print(to, "Comparison\n\n{}\n", comparison_table(runs));
    if (planned_runs(o.repeat, o) > 1 && !o.quiet)
        fmt::print(to, "Repeats (median and its confidence interval)\n\n{}\n", sweep_summary(runs));
    const bool written = write_outputs(o, env, runs, to);
    std::fflush(to);
    bool failed = !written;
    bool interrupted = false;
    for (const auto& r : runs) {
        failed = failed || r.failed();
        interrupted = interrupted || r.interrupted;
    }
    if (interrupted) return 130;  // as a shell reports a command ended by SIGINT
    return failed ? 1 : 0;
}

// finish() on rank 0; returns this rank's exit status.
int finish_all(const run_options& o, const environment& env, const std::vector<run_record>& runs,
               bool several_backends, std::FILE* to, rank_group* group) {
    if (group == nullptr) return finish(o, env, runs, several_backends, to);
    // Rank 0's status is the run's; mpirun reports the first rank that ends with one, so the
    // others end with 0 rather than be named for a failure that is not theirs.
    if (group->rank() == 0) return finish(o, env, runs, several_backends, to);
    return 0;
}

// Checks the settings; prints the reason and returns false when they are impossible.
bool usable(run_options& o, rank_group* group) {
    auto error = check_run_options(o);
    if (error.empty() && group != nullptr && o.load.connections < unsigned(group->size()))
        error = fmt::format("-c {} is fewer connections than the {} ranks: each rank needs one",
                            o.load.connections, group->size());
    if (!error.empty()) {
        if (group == nullptr || group->rank() == 0) fmt::print(stderr, "robotbench: {}\n", error);
        return false;
    }
    o.load.threads = generator_threads(o);
    return true;
}

// Whether another round is due: rank 0 decides from its merged records, the others follow.
bool another_round(const run_options& o, std::span<const run_record> runs, rank_group* group) {
    const bool more = !interrupt_guard::requested() && wants_another_run(o.repeat, o, runs);
    return group != nullptr ? group->broadcast(more) : more;
}

}  // namespace

latency_summary summarize(const loadgen::histogram& h) {
    latency_summary s;
    s.count = h.count();
    if (s.count == 0) return s;
    s.min = h.min();
    s.p50 = h.value_at_percentile(50);
    s.p90 = h.value_at_percentile(90);
    s.p99 = h.value_at_percentile(99);
    s.p999 = h.value_at_percentile(99.9);
    s.p9999 = h.value_at_percentile(99.99);
    s.max = h.max();
    s.mean = h.mean();
    return s;
}

run_record run_backend(const std::string& backend, const run_options& options,
                       const std::string& hgrm_path, const environment& env, status_line& status,
                       rank_group* group) {
    run_record r = new_record(options, env);
    r.backend = backend;
    const bool root = group == nullptr || group->rank() == 0;
    std::optional<server_under_test> server;
    std::string why;
    if (root) {
        try {
            server.emplace(server_launch{backend, options.server_threads, options.server_workers,
                                         options.max_line, options.server_idle_timeout});
        } catch (const std::exception& e) {
            why = e.what();
        }
    }
    // Rank 0 started the server and tells the others where it listens ("" when it did not).
    loadgen::endpoint target;
    if (server) target = {server->host(), server->port()};
    if (group != nullptr) {
        const auto where = group->broadcast(server ? fmt::format("{}:{}", target.host, target.port)
                                                   : std::string());
        if (!where.empty()) target = *parse_target(where);
    }
    if (!why.empty() || target.port == 0) {
        r.problems.push_back(why.empty() ? std::string("the server did not start") : why);
        skip_presence(r, "the server did not start");
        return r;
    }
    r.target = fmt::format("{}:{}", target.host, target.port);
    if (options.kind != scenario::presence)
        measure_load(r, target, server ? server->pid() : 0, hgrm_path, status, group);
    if (interrupt_guard::requested()) r.interrupted = true;
    // Rank 0 alone knows whether the server lived; every rank follows its decision.
    std::optional<std::string> ended;
    if (server) ended = server->ended();
    bool check = !ended && !r.interrupted && wants_presence(options);
    if (group != nullptr) check = group->broadcast(check);
    if (ended) {
        r.problems.push_back(fmt::format("the {} server {} during the run", backend, *ended));
        r.server.reset();  // its tree vanished mid-window: no honest cost to report
        skip_presence(r, "the server was no longer running");
    } else if (r.interrupted) {
        skip_presence(r, "the run was interrupted");
    } else if (!check) {
        skip_presence(r, "rank 0 did not run it");
    }
    if (check) {
        check_presence(r, target, false, status, group);
        if (const auto after = server ? server->ended() : std::nullopt)
            r.problems.push_back(
                fmt::format("the {} server {} during the presence check", backend, *after));
    }
    if (interrupt_guard::requested()) r.interrupted = true;
    if (server) {
        const auto stopped = server->stop();
        if (stopped.problem) r.problems.push_back(*stopped.problem);
        if (stopped.usage && r.server) r.server->lifetime = stopped.usage;
    }
    r.warnings = bottleneck_warnings(r, env.cores);
    r.generator_bound = !r.warnings.empty();
    return r;
}

run_record run_target(const run_options& options, const environment& env, status_line& status,
                      rank_group* group) {
    run_record r = new_record(options, env);
    const auto target = *options.target;
    r.target = fmt::format("{}:{}", target.host, target.port);
    std::string why = probe_target(target, std::chrono::seconds(2));
    if (!why.empty()) why = fmt::format("cannot connect to {}: {}", r.target, why);
    // Every rank probes its own --target; one that cannot connect fails the run for all.
    const auto failed =
        group != nullptr ? group->failures(why) : std::vector<std::string>{why};
    if (!failed.empty() && !failed.front().empty()) {
        r.problems.insert(r.problems.end(), failed.begin(), failed.end());
        skip_presence(r, "the server could not be reached");
        return r;
    }
    if (options.kind != scenario::presence)
        measure_load(r, target, 0, options.hgrm_path, status, group);
    if (interrupt_guard::requested()) r.interrupted = true;
    bool check = !r.interrupted && wants_presence(options);
    if (group != nullptr) check = group->broadcast(check);
    if (r.interrupted)
        skip_presence(r, "the run was interrupted");
    else if (check)
        check_presence(r, target, true, status, group);
    else
        skip_presence(r, "rank 0 did not run it");
    if (interrupt_guard::requested()) r.interrupted = true;
    r.warnings = bottleneck_warnings(r, env.cores);
    r.generator_bound = !r.warnings.empty();
    return r;
}

int run_command(run_options options, rank_group* group) {
    const bool root = group == nullptr || group->rank() == 0;
    const auto selection = expand_backends(options.backend_list);
    if (!selection.error.empty()) {
        if (root) fmt::print(stderr, "robotbench: {}\n", selection.error);
        return 2;
    }
    if (!all_agree(usable(options, group), group)) return 2;
    if (const auto why = one_host_problem(group); !why.empty()) {
        if (root) fmt::print(stderr, "robotbench: {}\n", why);
        return 2;
    }
    // A backend that cannot hold this run's clients is refused before any server starts; one
    // that `all` brought in is left out with the reason.
    std::vector<std::string> names;
    const bool every = options.backend_list.find("all") != std::string::npos;
    for (const auto& backend : selection.names) {
        if (const auto why = capacity_problem(backend, options); !why.empty()) {
            const bool fewer_help = start_problem(backend, options).empty();
            if (root)
                fmt::print(stderr, "robotbench: {}{}\n", why,
                           every ? " (left out)" : fewer_help ? " (use fewer connections)" : "");
            if (!every) return 2;
            continue;
        }
        names.push_back(backend);
    }
    if (names.empty()) return 2;
    if (!all_agree(!root || outputs_usable(options, names), group)) return 2;
    ::signal(SIGPIPE, SIG_IGN);
    const interrupt_guard interrupt;
    const environment env = current_environment();
    std::FILE* const to = report_stream(options);
    // -q shows none; under mpirun a rank's stdout is a pseudo-terminal even when mpirun's output
    // goes to a file: none there either.
    status_line status(options.quiet || group != nullptr ? nullptr : to);
    std::vector<run_record> runs;
    for (const auto& backend : names) {
        const auto first = runs.size();
        for (unsigned round = 0; another_round(options, std::span(runs).subspan(first), group);
             ++round) {
            auto o = options;
            if (root)
                o.hlog_path =
                    per_run_path(options.hlog_path, options, names.size(), backend, round);
            else
                o.hlog_path.clear();
            try {
                runs.push_back(run_backend(
                    backend, o,
                    root ? hgrm_path_for(options, names.size(), backend, round) : std::string(),
                    env, status, group));
            } catch (const usage_error& e) {
                if (root) fmt::print(stderr, "robotbench: {}\n", e.what());
                return 2;
            }
            if (root) print_report(runs.back(), to);
        }
    }
    return finish_all(options, env, runs, names.size() > 1, to, group);
}

int load_command(run_options options, rank_group* group) {
    const bool root = group == nullptr || group->rank() == 0;
    if (!options.target) {
        fmt::print(stderr, "robotbench load: --target HOST:PORT is required\n");
        return 2;
    }
    if (!all_agree(usable(options, group), group)) return 2;
    if (!all_agree(!root || outputs_usable(options, {"target"}), group)) return 2;
    ::signal(SIGPIPE, SIG_IGN);
    const interrupt_guard interrupt;
    const environment env = current_environment();
    std::FILE* const to = report_stream(options);
    // -q shows none; under mpirun a rank's stdout is a pseudo-terminal even when mpirun's output
    // goes to a file: none there either.
    status_line status(options.quiet || group != nullptr ? nullptr : to);
    std::vector<run_record> runs;
    for (unsigned round = 0; another_round(options, runs, group); ++round) {
        auto o = options;
        o.hgrm_path = root ? hgrm_path_for(options, 1, "target", round) : std::string();
        o.hlog_path = root ? per_run_path(options.hlog_path, options, 1, "target", round)
                           : std::string();
        try {
            runs.push_back(run_target(o, env, status, group));
        } catch (const usage_error& e) {
            if (root) fmt::print(stderr, "robotbench: {}\n", e.what());
            return 2;
        }
        if (root) print_report(runs.back(), to);
    }
    return finish_all(options, env, runs, false, to, group);
}

}  // namespace robotbench
