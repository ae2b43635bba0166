#pragma once
// `robotbench serve`: runs one backend on a listening socket until SIGINT or SIGTERM.

#include <string>

#include "backends/backend.hpp"

namespace robotbench {

// What `robotbench serve` was asked for.
struct serve_options {
    std::string backend = "thread";
    server_options server;
    bool quiet = false;  // no `online N` lines on stderr
};

// Serves until SIGINT/SIGTERM; returns the process exit status. Prints `listening on HOST:PORT`
// on stdout first, and `online N` on stderr when the count changes unless quiet.
int run_serve(const serve_options& options);

}  // namespace robotbench
