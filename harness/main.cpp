// robotbench: one robot protocol, interchangeable server backends, and a load generator that
// measures them.

#include <fmt/core.h>

#include "cli.hpp"
#include "compare_command.hpp"
#include "environment.hpp"
#include "launcher.hpp"
#include "run.hpp"
#include "sweep.hpp"
#if ROBOTBENCH_MPI
#include "mpi/mpi_command.hpp"
#endif

namespace {

// What `list` adds about the clients a backend serves at once with the default settings: its
// cap and what sets it, or why it cannot start on this machine.
std::string capacity_note(const robotbench::backend_info& row) {
    const auto capacity = row.capacity(robotbench::server_options{});
    if (!capacity.cannot_start.empty())
        return fmt::format(" [cannot start here: {}]", capacity.cannot_start);
    if (capacity.clients == 0) return {};
    return fmt::format(" [at most {} clients at once: {}]", capacity.clients, capacity.reason);
}

int list_backends() {
    for (const auto& row : robotbench::backends()) {
        const auto name =
            row.alias.empty() ? std::string(row.name) : fmt::format("{} ({})", row.name, row.alias);
        const auto why = row.unavailable();
        fmt::print("{:<22} {}{}\n", name, row.description,
                   why.empty() ? capacity_note(row) : fmt::format(" [not available: {}]", why));
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "robotbench: compare server concurrency models on one robot protocol.\n"
        "Without a command, runs `robotbench run` (e.g. `robotbench --backend=thread`)."};
    app.require_subcommand(1, 1);
    app.set_version_flag("--version", robotbench::version_line(),
                         "print robotbench's version, git revision, compiler and build type");

    robotbench::serve_options serve;
    auto* serve_cmd = app.add_subcommand("serve", "run one backend until SIGINT or SIGTERM");
    robotbench::add_serve_options(*serve_cmd, serve);
    app.add_subcommand("list", "list the server backends");

    robotbench::run_options run;
    auto* run_cmd = app.add_subcommand(
        "run",
        "start each backend's server, measure it under load, check its online count "
        "(the default command)");
    robotbench::add_run_options(*run_cmd, run);

    robotbench::run_options load;
    auto* load_cmd = app.add_subcommand(
        "load", "measure a server that is already running (any implementation of the protocol)");
    robotbench::add_target_options(*load_cmd, load);

    robotbench::sweep_options sweep;
    auto* sweep_cmd = app.add_subcommand(
        "sweep",
        "run every combination of backends, connection counts, sizes, pipeline depths and rates, "
        "each against a fresh server, and summarise the medians");
    robotbench::add_sweep_options(*sweep_cmd, sweep);

    robotbench::compare_options compare;
    auto* compare_cmd = app.add_subcommand(
        "compare",
        "compare two result files cell by cell: medians, their ratio and whether the change is "
        "significant; exit status 1 on a significant regression past --threshold");
    robotbench::add_compare_options(*compare_cmd, compare);

    robotbench::slo_options slo;
    auto* slo_cmd = app.add_subcommand(
        "slo",
        "find, for each backend, the highest open-loop rate at which a latency percentile stays "
        "under a target (e.g. --p99 1ms)");
    robotbench::add_slo_options(*slo_cmd, slo);

    auto args = robotbench::with_default_command(app, argc, argv, "run");
    std::vector<char*> arg_pointers;
    for (auto& a : args) arg_pointers.push_back(a.data());
    if (const int status = robotbench::parse_command_line(
            app, static_cast<int>(arg_pointers.size()), arg_pointers.data());
        status >= 0)
        return status;
    if (app.got_subcommand("list")) return list_backends();
    const bool measures = app.got_subcommand(run_cmd) || app.got_subcommand(load_cmd);
    const int ranks = robotbench::launcher_world_size();
    if (ranks > 0 && measures) {
#if ROBOTBENCH_MPI
        return app.got_subcommand(run_cmd)
                   ? robotbench::mpi::run_as_rank(robotbench::run_command, run)
                   : robotbench::mpi::run_as_rank(robotbench::load_command, load);
#else
        if (ranks > 1) {
            fmt::print(stderr,
                       "robotbench: started by mpirun, but built without MPI "
                       "(-DROBOTBENCH_MPI=ON needs libopenmpi-dev)\n");
            return 2;
        }
#endif
    } else if (ranks > 1 && (app.got_subcommand(sweep_cmd) || app.got_subcommand(slo_cmd))) {
        fmt::print(stderr,
                   "robotbench: only run and load spread their load over mpirun's "
                   "ranks; start {} once, without mpirun\n",
                   app.got_subcommand(sweep_cmd) ? "sweep" : "slo");
        return 2;
    }
    if (app.got_subcommand(run_cmd)) return robotbench::run_command(run);
    if (app.got_subcommand(load_cmd)) return robotbench::load_command(load);
    if (app.got_subcommand(sweep_cmd)) return robotbench::sweep_command(sweep);
    if (app.got_subcommand(compare_cmd)) return robotbench::compare_command(compare);
    if (app.got_subcommand(slo_cmd)) return robotbench::slo_command(slo);
    return robotbench::run_serve(serve);
}
