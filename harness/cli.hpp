#pragma once
// Command-line pieces shared by robotbench's commands (CLI11).

#include <CLI/CLI.hpp>

#include "serve.hpp"

namespace robotbench {

// Accepts a backend name or alias from the registry; the error lists the valid names.
CLI::Validator backend_validator();

// Adds serve's flags (--backend, --host, --port, --threads, --max-conns, --max-line, --quiet).
void add_serve_options(CLI::App& app, serve_options& options);

// Parses argv; returns -1 to go on, or the exit status (0 after --help, 2 after a usage error
// reported on one line of stderr).
int parse_command_line(CLI::App& app, int argc, char** argv);

}  // namespace robotbench
