#include "sweep.hpp"

#include <fmt/core.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <tuple>

#include "backends/backend.hpp"
#include "loadgen/usage_error.hpp"
#include "cell_summary.hpp"
#include "csv_writer.hpp"
#include "environment.hpp"
#include "interrupt.hpp"
#include "output_check.hpp"
#include "run.hpp"
#include "run_outputs.hpp"
#include "status_line.hpp"
#include "sweep_report.hpp"
#include "text_table.hpp"
#include "units.hpp"

namespace robotbench {

namespace {

// Descriptors the generator keeps besides its connections (stdio, epoll sets, the presence
// check's clients, pipes to the server).
constexpr std::size_t generator_reserve = 256;

std::size_t hard_fd_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_max == RLIM_INFINITY) return 1 << 20;
    return lim.rlim_max;
}

std::string clock_text(double seconds) {
    const auto s = static_cast<long>(std::max(0.0, seconds) + 0.5);
    return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string cell_text(const sweep_cell& c) {
    auto text = fmt::format("{} c={} size={} P={}", c.backend, c.connections, c.size, c.pipeline);
    if (c.rate > 0) text += fmt::format(" R={:g}", c.rate);
    return text;
}

run_options options_for(const sweep_options& sweep, const sweep_cell& cell) {
    run_options o = sweep.base;
    o.backend_list = cell.backend;
    o.load.connections = cell.connections;
    o.load.size = cell.size;
    o.load.pipeline = cell.pipeline;
    o.load.rate = cell.rate;
    return o;
}

// The row of a cell that was not run.
run_record skipped_record(const run_options& o, const sweep_cell& cell, const environment& env,
                          std::string why) {
    run_record r;
    r.timestamp = utc_timestamp(std::chrono::system_clock::now());
    r.git_revision = env.git_revision;
    r.machine = fmt::format("{} ({} cores)", env.cpu_model, env.cores);
    r.backend = cell.backend;
    r.options = o;
    r.skipped = std::move(why);
    r.presence.state = presence_state::skipped;
    r.presence.note = "cell skipped";
    return r;
}

// The .hgrm file of a cell's run `repeat`, when a report is wanted; empty otherwise.
std::string hgrm_path_for(const sweep_options& sweep, const sweep_cell& cell, unsigned repeat) {
    return sweep.report_dir.empty() ? std::string()
                                    : sweep_hgrm_path(sweep.report_dir, cell, repeat);
}

// `x.hlog` for cell thread c=64 size=64 P=1: `x-thread-c64-s64-P1.hlog`, with `-1`, `-2`, ...
// (`repeat`, counted from 1) added when cells are repeated; empty without --hlog.
std::string hlog_path_for(const sweep_options& sweep, const sweep_cell& cell, unsigned repeat) {
    const auto& base = sweep.base;
    if (base.hlog_path.empty()) return {};
    auto path = per_backend_path(
        base.hlog_path, fmt::format("{}-c{}-s{}-P{}{}", cell.backend, cell.connections, cell.size,
                                    cell.pipeline,
                                    cell.rate > 0 ? fmt::format("-R{:g}", cell.rate) : ""));
    if (planned_runs(sweep.repeat, base) > 1) path = per_backend_path(path, std::to_string(repeat));
    return path;
}

// Shows which cell starts; rewritten in place on a terminal, one line each otherwise.
void show_progress(std::size_t done, std::size_t total, const sweep_cell& cell,
                   std::chrono::steady_clock::time_point started, std::FILE* to) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double eta = done == 0 ? 0.0 : elapsed / double(done) * double(total - done);
    const auto text = progress_text(done + 1, total, cell, elapsed, eta);
    if (::isatty(::fileno(to)))
        fmt::print(to, "\r\033[K{}", text);
    else
        fmt::print(to, "{}\n", text);
    std::fflush(to);
}

}  // namespace

std::string sweep_hgrm_path(const std::string& report_dir, const sweep_cell& cell,
                            unsigned repeat) {
    return fmt::format("{}/hgrm/{}-c{}-s{}-P{}{}-{}.hgrm", report_dir, cell.backend,
                       cell.connections, cell.size, cell.pipeline,
                       cell.rate > 0 ? fmt::format("-R{:g}", cell.rate) : "", repeat);
}

std::vector<sweep_cell> sweep_cells(const sweep_options& options,
                                    const std::vector<std::string>& backends) {
    std::vector<sweep_cell> cells;
    for (const auto& backend : backends)
        for (const auto size : options.sizes)
            for (const auto pipeline : options.pipelines)
                for (const auto rate : options.rates)
                    for (const auto connections : options.connections)
                        cells.push_back({backend, connections, size, pipeline, rate});
    return cells;
}

std::string skip_reason(const run_options& cell_run, std::size_t fd_limit) {
    if (auto why = capacity_problem(cell_run.backend_list, cell_run); !why.empty()) return why;
    if (cell_run.load.connections + generator_reserve > fd_limit)
        return fmt::format("the generator may open at most {} descriptors (ulimit -Hn)",
                           fd_limit);
    return {};
}

std::string progress_text(std::size_t done, std::size_t total, const sweep_cell& cell,
                          double elapsed_s, double eta_s) {
    return fmt::format("[{}/{}] {}  elapsed {}  ETA {}", done, total, cell_text(cell),
                       clock_text(elapsed_s), done <= 1 ? "-" : clock_text(eta_s));
}

int sweep_command(sweep_options sweep) {
    const auto selection = expand_backends(sweep.backend_list);
    if (!selection.error.empty()) {
        fmt::print(stderr, "robotbench sweep: {}\n", selection.error);
        return 2;
    }
    const auto cells = sweep_cells(sweep, selection.names);
    for (const auto& cell : cells) {
        auto o = options_for(sweep, cell);
        if (const auto error = check_run_options(o); !error.empty()) {
            fmt::print(stderr, "robotbench sweep: {} ({})\n", error, cell_text(cell));
            return 2;
        }
    }
    if (auto problem = csv_output_problem(sweep.base.csv_path); !problem.empty()) {
        fmt::print(stderr, "robotbench sweep: {}\n", problem);
        return 2;
    }
    auto problem = output_problem(sweep.base.json_path, true);
    if (problem.empty()) problem = output_problem(sweep.base.summary_csv_path, true);
    if (problem.empty()) problem = output_problem(sweep.base.timeline_path, true);
    if (problem.empty() && !cells.empty())
        problem = output_problem(hlog_path_for(sweep, cells.front(), 0), false);
    if (problem.empty() && !sweep.report_dir.empty())
        problem = output_problem(sweep.report_dir + "/REPORT.md", false);
    if (!problem.empty()) {
        fmt::print(stderr, "robotbench sweep: {}\n", problem);
        return 2;
    }
    ::signal(SIGPIPE, SIG_IGN);
    const interrupt_guard interrupt;
    std::FILE* const to = report_stream(sweep.base);
    const environment env = current_environment();
    const std::size_t fd_limit = hard_fd_limit();
    // With --until-ci a cell may take up to --max-repeat runs: the count and ETA are upper bounds.
    const std::size_t total = cells.size() * planned_runs(sweep.repeat, sweep.base);
    fmt::print(to, "sweep: {} cells x {} runs, {} measured + {} warm-up each\n", cells.size(),
               sweep.repeat, format_latency(sweep.base.load.duration.count()),
               format_latency(sweep.base.load.warmup.count()));
    const auto started = std::chrono::steady_clock::now();
    status_line status(to);
    csv_output csv(sweep.base.csv_path);
    std::vector<run_record> runs;
    bool written = true;
    std::size_t done = 0;
    for (const auto& cell : cells) {
        const auto first = runs.size();
        for (unsigned repeat = 1;
             !interrupt.requested() &&
             wants_another_run(sweep.repeat, sweep.base, std::span(runs).subspan(first));
             ++repeat, ++done) {
            auto o = options_for(sweep, cell);
            o.load.threads = generator_threads(o);
            o.hlog_path = hlog_path_for(sweep, cell, repeat);
            show_progress(done, total, cell, started, to);
            if (auto why = skip_reason(o, fd_limit); !why.empty()) {
                runs.push_back(skipped_record(o, cell, env, std::move(why)));
            } else {
                try {
                    runs.push_back(
                        run_backend(cell.backend, o, hgrm_path_for(sweep, cell, repeat), env, status));
                } catch (const usage_error& e) {
                    fmt::print(stderr, "\nrobotbench sweep: {}\n", e.what());
                    return 2;
                }
            }
            // Every row is appended as soon as it exists: an interrupted sweep loses nothing.
            if (!sweep.base.csv_path.empty()) {
                try {
                    csv.append(std::span(&runs.back(), 1));
                } catch (const std::exception& e) {
                    if (written) fmt::print(stderr, "\nrobotbench sweep: cannot write the CSV: {}\n", e.what());
                    written = false;
                }
            }
        }
    }
    if (::isatty(::fileno(to))) fmt::print(to, "\r\033[K");
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    fmt::print(to, "sweep: {} runs in {}{}\n\n{}\n", runs.size(), clock_text(elapsed),
               interrupt.requested() ? " (interrupted)" : "", sweep_summary(runs));
    if (!sweep.base.csv_path.empty() && sweep.base.csv_path != "-" && written)
        fmt::print(to, "CSV rows appended to {}\n", sweep.base.csv_path);
    auto files = sweep.base;
    files.csv_path.clear();  // the rows went out one by one
    written = write_outputs(files, env, runs, to) && written;
    std::fflush(to);
    if (!sweep.report_dir.empty()) {
        // The report covers the cells that finished: an interrupted run measured less than asked.
        std::vector<run_record> finished;
        for (const auto& r : runs)
            if (!r.interrupted) finished.push_back(r);
        written = write_sweep_report(sweep, finished) && written;
    }
    if (interrupt.requested()) return 130;
    bool failed = !written;
    for (const auto& r : runs) failed = failed || r.failed();
    return failed ? 1 : 0;
}

}  // namespace robotbench
