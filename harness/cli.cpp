#include "cli.hpp"

#include <fmt/core.h>

#include <charconv>
#include <cmath>

#include "duration.hpp"
#include "flag_transformers.hpp"

namespace robotbench {

// A duration flag (`500ms`, `5s`, `1m`); zero is refused unless allowed.
CLI::Option* add_duration(CLI::App& app, const std::string& name, std::chrono::nanoseconds& target,
                          const std::string& help, bool allow_zero) {
    return app
        .add_option_function<std::string>(
            name, [&target](const std::string& text) { target = *parse_duration(text); }, help)
        ->check(CLI::Validator(
            [allow_zero](std::string& text) -> std::string {
                const auto d = parse_duration(text);
                if (!d)
                    return fmt::format(
                        "'{}' is not a duration (e.g. 500ms, 5s, 1m; units: ns, us, ms, s, m, h)",
                        text);
                if (!allow_zero && d->count() == 0) return "must be longer than zero";
                return {};
            },
            "DURATION"))
        ->default_str(duration_text(target));
}

namespace {

// `10` or `10%`: a percentage above 0 and below 100.
std::optional<double> parse_percent(std::string text) {
    if (!text.empty() && text.back() == '%') text.pop_back();
    double v = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || !(v > 0) || !(v < 100))
        return std::nullopt;
    return v;
}

}  // namespace

CLI::Option* add_percent(CLI::App& app, const std::string& name, double& target,
                         const std::string& help) {
    return app
        .add_option_function<std::string>(
            name, [&target](const std::string& text) { target = *parse_percent(text); }, help)
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                if (parse_percent(text)) return {};
                return fmt::format("'{}' is not a percentage above 0 and below 100 (e.g. 5 or 5%)",
                                   text);
            },
            "PCT"));
}

void add_over_time_flags(CLI::App& app, run_options& o, bool sweep) {
    app.add_option("--hlog", o.hlog_path,
                   sweep ? "write each run's latency per interval as an HdrHistogram interval log: "
                           "one file per cell, FILE's name with the cell added "
                           "(x.hlog: x-thread-c64-s64-P1.hlog; repeats: -1, -2, ...)"
                         : "write the latency of each interval of the measured window as an "
                           "HdrHistogram interval log (several backends: FILE-BACKEND.EXT; "
                           "repeats: one file each, -1, -2, ...)");
    add_duration(app, "--hlog-interval", o.hlog_interval,
                 "the length of an interval of --hlog (a part of a second of at least 10ms, or "
                 "a multiple of one)",
                 false);
    app.add_option("--timeline", o.timeline_path,
                   "write (replace) throughput, p50, p99, errors and open connections for every "
                   "second of every run as CSV (-: standard output)");
}

void add_repeat_flags(CLI::App& app, run_options& o) {
    add_percent(app, "--until-ci", o.until_ci_pct,
                "repeat (at least --repeat times, up to --max-repeat) until the 95% interval of "
                "the throughput median is narrower than PCT percent of it");
    app.add_option("--max-repeat", o.max_repeat, "the most runs --until-ci may take per cell")
        ->check(CLI::Range(1u, 100u))
        ->capture_default_str();
    app.add_option("--summary-csv", o.summary_csv_path,
                   "write (replace) one row per cell: the medians of throughput and latency "
                   "percentiles with their confidence intervals (*_ci_low, *_ci_high)");
}

CLI::Validator backend_validator() {
    return CLI::Validator(
        [](std::string& name) -> std::string {
            if (find_backend(name) != nullptr) return {};
            return fmt::format("unknown backend '{}' (valid: {})", name, backend_names());
        },
        "BACKEND");
}

CLI::Validator backend_list_validator() {
    return CLI::Validator(
        [](std::string& list) -> std::string { return expand_backends(list).error; },
        "BACKEND[,BACKEND...]|all");
}

void add_serve_options(CLI::App& app, serve_options& options) {
    auto& server = options.server;
    app.add_option("-b,--backend", options.backend,
                   fmt::format("server backend: {} (default: thread)", backend_names()))
        ->check(backend_validator());
    app.add_option("--host", server.host, "IPv4 address to listen on")->capture_default_str();
    app.add_option("--port", server.port, "TCP port; 0 picks a free one")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    app.add_option("--threads", server.threads, "worker threads (default: one per core)")
        ->check(CLI::Range(1u, 4096u));
    app.add_option("--workers", server.workers,
                   "worker processes of a process-pool backend (prefork); each serves one "
                   "client at a time")
        ->check(CLI::Range(1u, 1u << 20))
        ->capture_default_str();
    app.add_option("--max-conns", server.max_conns,
                   "clients served at once; more get '!ERR server full' (default: no limit)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
    app.add_option("--max-line", server.limits.max_line, "longest request payload in bytes")
        ->transform(size_transformer())
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
        ->capture_default_str();
    add_duration(app, "--idle-timeout", server.idle_timeout,
                 "close a client that sends no complete line and takes no reply for this long "
                 "(e.g. 30s), after telling it '!ERR idle timeout'",
                 false)
        ->default_str("off");
    app.add_flag("-q,--quiet", options.quiet, "do not print 'online N' on stderr");
}

void add_run_options(CLI::App& app, run_options& options) {
    app.add_option("-b,--backend", options.backend_list,
                   fmt::format("backend(s) to start and measure: {}, a comma list, or all",
                               backend_names()))
        ->check(backend_list_validator())
        ->capture_default_str();
    app.add_option("--server-threads", options.server_threads,
                   "the server's worker threads (serve --threads; default: one per core)")
        ->check(CLI::Range(1u, 4096u));
    add_server_workers_flag(app, options);
    add_server_idle_timeout_flag(app, options);
    app.add_option("--max-line", options.max_line,
                   "the server's longest request payload in bytes (serve --max-line)")
        ->transform(size_transformer())
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
        ->capture_default_str();
    add_load_flags(app, options);
}

void add_target_options(CLI::App& app, run_options& options) {
    app.add_option_function<std::string>(
           "--target", [&options](const std::string& text) { options.target = parse_target(text); },
           "HOST:PORT of a running server that speaks the robot protocol")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                if (parse_target(text)) return {};
                return fmt::format(
                    "'{}' is not HOST:PORT (an IPv4 address or localhost, and a "
                    "port from 1 to 65535)",
                    text);
            },
            "HOST:PORT"))
        ->required();
    add_other_clients_flag(app, options);
    app.add_option("--max-line", options.max_line,
                   "the target's longest accepted payload in bytes, to refuse a larger --size")
        ->transform(size_transformer())
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
        ->capture_default_str();
    add_load_flags(app, options);
}

void add_other_clients_flag(CLI::App& app, run_options& options) {
    app.add_option_function<std::string>(
           "--other-clients",
           [&options](const std::string& text) {
               options.other_clients =
                   text == "auto" ? std::nullopt : std::optional<std::int64_t>(std::stoll(text));
           },
           "clients the target has besides robotbench's, for the presence check: a number, or "
           "auto to take it from the first /online answer")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                if (text == "auto") return {};
                std::int64_t n = -1;
                const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
                if (ec == std::errc{} && end == text.data() + text.size() && n >= 0) return {};
                return fmt::format("'{}' is neither a number of clients nor auto", text);
            },
            "N|auto"))
        ->default_str("0");
}

void add_server_workers_flag(CLI::App& app, run_options& o) {
    app.add_option("--server-workers", o.server_workers,
                   fmt::format("the server's worker processes for prefork (serve --workers; "
                               "default: {})",
                               default_workers))
        ->check(CLI::Range(1u, 1u << 20));
}

void add_server_idle_timeout_flag(CLI::App& app, run_options& o) {
    add_duration(app, "--server-idle-timeout", o.server_idle_timeout,
                 "the server closes a client idle this long (serve --idle-timeout)", false)
        ->default_str("off");
}

void add_load_flags(CLI::App& app, run_options& o) {
    app.add_option("-c,--connections", o.load.connections, "connections kept open")
        ->check(CLI::Range(1u, 1'000'000u))
        ->capture_default_str();
    auto* duration = add_duration(app, "-d,--duration", o.load.duration,
                                  "measured time (e.g. 500ms, 5s, 1m)", false);
    app.add_option("-n,--requests", o.load.requests,
                   "measure this many requests instead of a duration (closed loop: N validated "
                   "replies spread over the connections; open loop: N scheduled sends)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
        ->excludes(duration);
    add_duration(app, "--warmup", o.load.warmup, "warm-up time before measuring, not recorded",
                 true);
    app.add_option("-t,--threads", o.load.threads,
                   "generator threads (default: half the cores, at most one per connection)")
        ->check(CLI::Range(1u, 1024u));
    app.add_option("--size", o.load.size, "payload bytes per request")
        ->transform(size_transformer())
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
        ->capture_default_str();
    app.add_option("-P,--pipeline", o.load.pipeline,
                   fmt::format("requests in flight per connection, closed loop only (open loop "
                               "keeps up to {} in flight per connection)",
                               loadgen::open_loop_max_in_flight))
        ->check(CLI::Range(1u, 1'000'000u))
        ->capture_default_str();
    app.add_option("-R,--rate", o.load.rate,
                   "total requests per second, open loop (default 0: closed loop)")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                double v = -1;
                const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
                if (ec == std::errc{} && end == text.data() + text.size() && v >= 0 &&
                    std::isfinite(v))
                    return {};
                return fmt::format(
                    "'{}' is not 0 (closed loop) or a positive number of "
                    "requests per second",
                    text);
            },
            "REQ/S"));
    app.add_option("--scenario", o.kind,
                   "load (default; ends with a presence check), presence (only the check), churn "
                   "(connect, send --requests-per-connection requests, close), or idle (hold -c "
                   "connections, default 10000, and measure what each costs the server)")
        ->transform(scenario_transformer())
        ->default_str("load");
    add_duration(app, "--idle-interval", o.idle_interval,
                 "idle: time between two requests of one idle connection", false);
    app.add_option("--probe-rate", o.probe_rate,
                   "idle: requests per second of the probe connections that measure latency")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    // idle holds 10,000 connections unless -c says otherwise.
    app.parse_complete_callback([&o, connections = app.get_option("--connections")] {
        if (o.kind == scenario::idle && connections->count() == 0)
            o.load.connections = default_idle_connections;
    });
    app.add_option("--connect-rate", o.connect_rate, "churn: connections per second")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--requests-per-connection", o.requests_per_connection,
                   "churn: requests on each connection before it closes")
        ->check(CLI::Range(1u, 1'000'000u))
        ->capture_default_str();
    add_duration(app, "--timeout", o.load.timeout, "a reply later than this counts as a timeout",
                 false);
    app.add_flag_callback(
        "--no-presence", [&o] { o.presence_check = false; },
        "skip the presence check that ends a load or churn run");
    app.add_option("--repeat", o.repeat,
                   "runs of each backend (each on a fresh server); more than one ends with their "
                   "medians and confidence intervals")
        ->check(CLI::Range(1u, 100u))
        ->capture_default_str();
    add_repeat_flags(app, o);
    app.add_option("--csv", o.csv_path,
                   "append one row per run to this CSV file (-: standard output, and the report "
                   "goes to stderr)")
        ->capture_default_str();
    app.add_flag_callback(
        "--no-csv", [&o] { o.csv_path.clear(); }, "write no CSV");
    app.add_option("--json", o.json_path,
                   "write the results, configuration and environment as JSON to this file (-: "
                   "standard output, and the report goes to stderr)");
    app.add_flag("-q,--quiet", o.quiet,
                 "print one summary line per run instead of the report (warnings and failures "
                 "still go to stderr)");
    app.add_flag("--latency", o.latency_spectrum,
                 "print the full latency percentile spectrum after each run's report (as wrk2 "
                 "--latency)");
    app.add_option("--hgrm", o.hgrm_path,
                   "write the latency distribution in HdrHistogram's .hgrm format to this file "
                   "(several backends: one file each, named FILE-BACKEND.EXT)");
    add_over_time_flags(app, o, false);
}

std::vector<std::string> with_default_command(const CLI::App& app, int argc, char** argv,
                                              std::string_view command) {
    std::vector<std::string> args(argv, argv + argc);
    if (argc >= 2) {
        const std::string first = argv[1];
        if (first == "-h" || first == "--help" || first == "--version") return args;
        const auto named =
            app.get_subcommands([&](const CLI::App* sub) { return sub->check_name(first); });
        if (!named.empty()) return args;
    }
    args.insert(args.begin() + (argc >= 1 ? 1 : 0), std::string(command));
    return args;
}

int parse_command_line(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return -1;
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        std::string message = e.what();
        for (auto& c : message)
            if (c == '\n') c = ' ';
        fmt::print(stderr, "robotbench: {} (see --help)\n", message);
        return 2;
    }
}

}  // namespace robotbench
