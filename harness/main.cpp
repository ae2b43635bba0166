// robotbench: one robot protocol, interchangeable server backends, and a load generator that
// measures them.

#include <fmt/core.h>

#include "cli.hpp"

namespace {

int list_backends() {
    for (const auto& row : robotbench::backends()) {
        const auto name = row.alias.empty() ? std::string(row.name)
                                            : fmt::format("{} ({})", row.name, row.alias);
        fmt::print("{:<22} {}{}\n", name, row.description,
                   row.available() ? "" : " [not available in this build]");
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"robotbench: compare server concurrency models on one robot protocol"};
    app.require_subcommand(0, 1);

    robotbench::serve_options serve;
    auto* serve_cmd = app.add_subcommand("serve", "run one backend until SIGINT or SIGTERM");
    robotbench::add_serve_options(*serve_cmd, serve);
    app.add_subcommand("list", "list the server backends");

    if (const int status = robotbench::parse_command_line(app, argc, argv); status >= 0)
        return status;
    if (app.got_subcommand("list")) return list_backends();
    return robotbench::run_serve(serve);
}
