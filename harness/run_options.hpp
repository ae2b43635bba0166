#pragma once
// What `robotbench run` (the default command) and `robotbench load` were asked to do.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.hpp"
#include "loadgen/load.hpp"
#include "protocol/reply.hpp"

namespace robotbench {

using namespace std::chrono_literals;

// --scenario: what the generator does against the server.
enum class scenario { load, presence, churn, idle };

// --scenario idle: connections held when -c is not given, and the probe connections that
// measure latency meanwhile.
inline constexpr unsigned default_idle_connections = 10'000;
inline constexpr unsigned idle_probes = 4;

// The name `--scenario` takes, and back.
std::string_view scenario_name(scenario s);
std::optional<scenario> find_scenario(std::string_view name);

// Every flag of a benchmark run, after parsing. Plain data, copied freely.
struct run_options {
    // What to measure: the backends to start (`run`), or a server that is already running
    // (`load --target`).
    std::string backend_list = "thread";  // --backend: a name, a comma list, or `all`
    std::optional<loadgen::endpoint> target;

    // The server under test (`run` only).
    unsigned server_threads = 0;                        // --server-threads; 0: the server's default
    unsigned server_workers = 0;                        // --server-workers; 0: the server's default
    std::chrono::nanoseconds server_idle_timeout{0};    // --server-idle-timeout; 0: off
    std::size_t max_line = protocol::default_max_line;  // --max-line (for `load`: the target's)

    // The load: the load generator's own settings, held here and handed to it as they are (its
    // defaults are the flags' defaults). Its target is set when the server under test is known.
    loadgen::load_config load;
    scenario kind = scenario::load;
    unsigned repeat = 1;                   // --repeat: runs of each backend
    // --until-ci PCT: more runs (up to max_repeat) until the throughput median's 95% interval is
    // narrower than PCT percent of it; 0 is off.
    double until_ci_pct = 0;
    unsigned max_repeat = 20;              // --max-repeat
    double connect_rate = 1000;            // churn: connections per second
    unsigned requests_per_connection = 4;  // churn: K
    std::chrono::nanoseconds idle_interval = 2s;  // idle: between two requests of a connection
    double probe_rate = 200;                      // idle: probe requests per second, in total
    bool presence_check = true;            // load, churn and idle end with a presence check
    // Clients an outside target has besides robotbench's (`load --other-clients`); nullopt:
    // taken from the first steady `/online` answer. A server `run` starts has none.
    std::optional<std::int64_t> other_clients = 0;

    // How the report is printed.
    bool quiet = false;             // -q: one summary line per run instead of the report
    bool latency_spectrum = false;  // --latency: the full percentile spectrum after the report

    // Where results go besides the table.
    std::string csv_path = "results/robotbench.csv";  // empty: no CSV
    std::string json_path;                            // empty: no JSON
    std::string hgrm_path;                            // empty: no .hgrm
    // --hlog: HdrHistogram interval log of each run (the path of this run, once run_command or
    // sweep_command named it); empty: none. --hlog-interval: the length of its intervals.
    std::string hlog_path;
    std::chrono::nanoseconds hlog_interval = 1s;
    std::string timeline_path;  // --timeline: the per-second rows as CSV; empty: none
    std::string summary_csv_path;  // --summary-csv: one row per cell (medians, intervals); empty: none
};

// The backend names `list` (a name, alias, comma list, or `all`) stands for, canonical and in
// order, or an error message that names the valid choices. Pure.
struct backend_selection {
    std::vector<std::string> names;
    std::string error;
};
backend_selection expand_backends(std::string_view list);

// Parses `HOST:PORT` (an IPv4 address or `localhost`, port 1-65535); nullopt when malformed.
std::optional<loadgen::endpoint> parse_target(std::string_view text);

// An empty string when the settings can run, else one line saying what is impossible: the load
// generator's own checks (loadgen/config_check.hpp) and the payload against --max-line. Pure.
std::string check_run_options(const run_options& options);

// What the load generator is handed for each scenario: the held load settings aimed at `target`,
// with the churn or idle settings around them. Pure.
loadgen::load_config load_config_for(const run_options& options, const loadgen::endpoint& target);
loadgen::churn_config churn_config_for(const run_options& options,
                                       const loadgen::endpoint& target);
loadgen::idle_config idle_config_for(const run_options& options, const loadgen::endpoint& target);

// The settings `robotbench serve` gets for a run with these options. Pure.
server_options server_settings(const run_options& options);

// Why `backend` cannot serve the clients this run opens at once (its capacity with the run's
// server settings; for the process- and thread-per-client models the cap this machine's limits
// set now), or cannot start at all, or empty when it can.
std::string capacity_problem(std::string_view backend, const run_options& options);

// Why `backend` cannot start at all with this run's server settings on this machine (a prefork
// pool larger than it can run, no room for a single client process), or empty.
std::string start_problem(std::string_view backend, const run_options& options);

// The most requests a connection has in flight: -P in closed loop, the fixed open-loop bound,
// churn's requests per connection. Pure.
unsigned max_in_flight(const run_options& options);

// The generator threads a run will use: -t (or the core count when -t is 0), never more than
// there are connections.
unsigned generator_threads(const run_options& options);

// The intervals the load generator records: the greatest common divisor of --hlog-interval and
// one second, so that both the log's intervals and the timeline's seconds are made of them. Pure.
std::chrono::nanoseconds record_interval(const run_options& options);

// `results/x.hgrm` for backend `fork` with several backends: `results/x-fork.hgrm`.
std::string per_backend_path(const std::string& path, std::string_view backend);

}  // namespace robotbench
