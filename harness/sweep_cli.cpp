// `robotbench sweep`'s command line.

#include <fmt/core.h>

#include "cli.hpp"
#include "flag_transformers.hpp"

namespace robotbench {

void add_sweep_options(CLI::App& app, sweep_options& options) {
    auto& o = options.base;
    o.load.duration = std::chrono::seconds(1);
    o.load.warmup = std::chrono::milliseconds(300);
    o.csv_path = "results/sweep.csv";
    app.add_option("-b,--backends", options.backend_list,
                   fmt::format("backends to sweep: a comma list of {}, or all", backend_names()))
        ->check(backend_list_validator())
        ->capture_default_str();
    app.add_option("-c,--connections", options.connections, "connection counts, comma-separated")
        ->delimiter(',')
        ->check(CLI::Range(1u, 1'000'000u))
        ->capture_default_str();
    app.add_option("--sizes", options.sizes, "payload sizes in bytes, comma-separated")
        ->delimiter(',')
        ->transform(size_transformer())
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
        ->capture_default_str();
    app.add_option("-P,--pipeline", options.pipelines, "pipeline depths, comma-separated")
        ->delimiter(',')
        ->check(CLI::Range(1u, 1'000'000u))
        ->capture_default_str();
    app.add_option("-R,--rate", options.rates,
                   "total request rates (req/s, open loop; 0: closed loop), comma-separated")
        ->delimiter(',')
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_option("--repeat", options.repeat, "runs of each cell; the summary shows their medians and confidence intervals")
        ->check(CLI::Range(1u, 100u))
        ->capture_default_str();
    add_repeat_flags(app, o);
    app.add_option("--report", options.report_dir,
                   "write the charts and a one-page REPORT.md into this folder");
    add_duration(app, "-d,--duration", o.load.duration, "measured time of each run", false);
    add_duration(app, "--warmup", o.load.warmup, "warm-up before each run, not recorded", true);
    add_duration(app, "--timeout", o.load.timeout, "a reply later than this counts as a timeout", false);
    app.add_option("-t,--threads", o.load.threads, "generator threads (default: half the cores)")
        ->check(CLI::Range(1u, 1024u));
    app.add_option("--server-threads", o.server_threads, "the server's worker threads")
        ->check(CLI::Range(1u, 4096u));
    add_server_workers_flag(app, o);
    add_server_idle_timeout_flag(app, o);
    app.add_flag_callback(
        "--no-presence", [&o] { o.presence_check = false; }, "skip each run's presence check");
    app.add_option("--csv", o.csv_path,
                   "append one row per run to this CSV file (-: standard output, and the "
                   "progress and summary go to stderr)")
        ->capture_default_str();
    app.add_flag_callback("--no-csv", [&o] { o.csv_path.clear(); }, "write no CSV");
    app.add_option("--json", o.json_path,
                   "write every run, the configuration, the environment and the summary of each "
                   "cell as JSON to this file (-: standard output)");
    add_over_time_flags(app, o, true);
}

}  // namespace robotbench
