// `robotbench slo`'s command line.

#include <fmt/core.h>

#include "cli.hpp"
#include "duration.hpp"
#include "flag_transformers.hpp"
#include "slo.hpp"

namespace robotbench {

namespace {

// --p50, --p99 or --p999 DURATION: the percentile and its target, in one flag.
CLI::Option* add_target_flag(CLI::App& app, const std::string& name, slo_percentile p,
                             slo_options& o) {
    return app
        .add_option_function<std::string>(
            name,
            [&o, p](const std::string& text) {
                o.percentile = p;
                o.target = *parse_duration(text);
            },
            fmt::format("search for the highest rate whose {} latency stays at or under this "
                        "(e.g. 1ms)",
                        percentile_label(p)))
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                const auto d = parse_duration(text);
                if (!d)
                    return fmt::format(
                        "'{}' is not a duration (e.g. 500us, 1ms; units: ns, us, ms, s, m, h)",
                        text);
                if (d->count() <= 0) return "must be longer than zero";
                return {};
            },
            "DURATION"));
}

}  // namespace

void add_slo_options(CLI::App& app, slo_options& options) {
    auto& o = options.base;
    o.load.duration = std::chrono::seconds(1);
    o.load.warmup = std::chrono::milliseconds(300);
    o.repeat = 3;
    o.csv_path.clear();
    auto* p50 = add_target_flag(app, "--p50", slo_percentile::p50, options);
    auto* p99 = add_target_flag(app, "--p99", slo_percentile::p99, options);
    auto* p999 = add_target_flag(app, "--p999", slo_percentile::p999, options);
    p50->excludes(p99)->excludes(p999);
    p99->excludes(p999);
    auto* backend = app.add_option("-b,--backend", o.backend_list,
                                   fmt::format("backend(s) to search: {}, a comma list, or all",
                                               backend_names()))
                        ->check(backend_list_validator())
                        ->capture_default_str();
    app.add_option_function<std::string>(
           "--target", [&o](const std::string& text) { o.target = parse_target(text); },
           "HOST:PORT of a running server to search instead of the backends")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                if (parse_target(text)) return {};
                return fmt::format(
                    "'{}' is not HOST:PORT (an IPv4 address or localhost, and a port from 1 to "
                    "65535)",
                    text);
            },
            "HOST:PORT"))
        ->excludes(backend);
    add_other_clients_flag(app, o);
    app.add_option("--repeat", o.repeat, "runs at each rate, each on a fresh server")
        ->check(CLI::Range(1u, 100u))
        ->capture_default_str();
    add_percent(app, "--resolution", options.search.resolution_pct,
                "stop when the lowest failing rate is within this percent above the highest "
                "passing one")
        ->default_str("5%");
    app.add_option("--max-steps", options.search.max_steps, "the most rates tried per backend")
        ->check(CLI::Range(1u, 1000u))
        ->capture_default_str();
    app.add_option("--start-rate", options.search.start_rate,
                   "the first rate tried, req/s (default: the closed-loop throughput, measured "
                   "first)")
        ->check(CLI::PositiveNumber);
    app.add_option("--min-rate", options.search.min_rate,
                   "req/s: when this rate fails too, nothing meets the target")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--out", options.out_dir,
                   "folder for steps.csv, runs.csv, slo.json and slo.png (replaced)")
        ->capture_default_str();
    app.add_flag_callback(
        "--no-chart", [&options] { options.chart = false; }, "do not draw slo.png");
    app.add_option("-c,--connections", o.load.connections,
                   "connections the open-loop rate is spread over")
        ->check(CLI::Range(1u, 1'000'000u))
        ->capture_default_str();
    add_duration(app, "-d,--duration", o.load.duration, "measured time of each run", false);
    add_duration(app, "--warmup", o.load.warmup, "load before each run's measured window", true);
    add_duration(app, "--timeout", o.load.timeout, "a reply later than this counts as a timeout", false);
    app.add_option("-t,--threads", o.load.threads, "generator threads (default: half the cores)")
        ->check(CLI::Range(1u, 1024u));
    app.add_option("--size", o.load.size, "payload bytes per request")
        ->transform(size_transformer())
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
        ->capture_default_str();
    app.add_option("--server-threads", o.server_threads, "the server's worker threads")
        ->check(CLI::Range(1u, 4096u));
    add_server_workers_flag(app, o);
    app.add_option("--max-line", o.max_line, "the server's longest request payload in bytes")
        ->transform(size_transformer())
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
        ->capture_default_str();
    app.add_flag_callback(
        "--no-presence", [&o] { o.presence_check = false; },
        "skip the presence check that ends each step");
}

}  // namespace robotbench
