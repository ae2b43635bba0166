#pragma once
// Command-line pieces shared by robotbench's commands (CLI11).

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "run_options.hpp"
#include "serve.hpp"
#include "slo.hpp"
#include "sweep.hpp"

namespace robotbench {

// Accepts a backend name or alias from the registry; the error lists the valid names.
CLI::Validator backend_validator();

// Accepts a backend name, a comma list of them, or `all`; the error lists the valid names.
CLI::Validator backend_list_validator();

// Adds serve's flags (--backend, --host, --port, --threads, --workers, --max-conns, --max-line,
// --idle-timeout, --quiet).
void add_serve_options(CLI::App& app, serve_options& options);

// Adds `robotbench run`'s flags: the server's (--backend, --server-threads, --max-line) and the
// load's (see add_load_flags).
void add_run_options(CLI::App& app, run_options& options);

// Adds `robotbench load`'s flags: --target, --max-line (the target's) and the load's.
void add_target_options(CLI::App& app, run_options& options);

// --other-clients N|auto: the clients an outside target has besides robotbench's.
void add_other_clients_flag(CLI::App& app, run_options& options);

// --server-workers: the worker processes of the server a run or sweep starts (serve --workers).
void add_server_workers_flag(CLI::App& app, run_options& options);

// --server-idle-timeout: the idle timeout of the server a run or sweep starts (serve
// --idle-timeout).
void add_server_idle_timeout_flag(CLI::App& app, run_options& options);

// The flags every measuring command shares: -c, -d, --warmup, -t, --size, -P, -R, --scenario,
// --connect-rate, --requests-per-connection, --timeout, --no-presence, --csv, --no-csv, --json,
// --hgrm.
void add_load_flags(CLI::App& app, run_options& options);

// argv with `command` inserted as the subcommand when argv names none of app's subcommands
// (and is not a request for the top-level help): `robotbench --backend=x` runs
// `robotbench run --backend=x`.
std::vector<std::string> with_default_command(const CLI::App& app, int argc, char** argv,
                                              std::string_view command);

// Adds a duration flag (`500ms`, `5s`, `1m`) writing into `target`; zero is refused unless
// allow_zero.
CLI::Option* add_duration(CLI::App& app, const std::string& name, std::chrono::nanoseconds& target,
                          const std::string& help, bool allow_zero);

// Adds a percent flag (`10` or `10%`) writing into `target`, a number above 0 and below 100.
CLI::Option* add_percent(CLI::App& app, const std::string& name, double& target,
                         const std::string& help);

// The flags of repeated runs that `run`, `load` and `sweep` share: --until-ci, --max-repeat,
// --summary-csv.
// --hlog, --hlog-interval and --timeline (run, load, sweep): the results over time.
void add_over_time_flags(CLI::App& app, run_options& o, bool sweep);
void add_repeat_flags(CLI::App& app, run_options& options);

// Adds `robotbench sweep`'s flags: the lists crossed, --repeat, --report, and the shared ones.
void add_sweep_options(CLI::App& app, sweep_options& options);

// Adds `robotbench slo`'s flags: the target (--p50/--p99/--p999), the backends or --target, the
// search (--repeat, --resolution, --max-steps, --start-rate, --min-rate), the load, --out.
void add_slo_options(CLI::App& app, slo_options& options);

// Parses argv; returns -1 to go on, or the exit status (0 after --help, 2 after a usage error
// reported on one line of stderr).
int parse_command_line(CLI::App& app, int argc, char** argv);

}  // namespace robotbench
