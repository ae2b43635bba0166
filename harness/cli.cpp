#include "cli.hpp"

#include <fmt/core.h>

namespace robotbench {

CLI::Validator backend_validator() {
    return CLI::Validator(
        [](std::string& name) -> std::string {
            if (find_backend(name) != nullptr) return {};
            return fmt::format("unknown backend '{}' (valid: {})", name, backend_names());
        },
        "BACKEND");
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
    app.add_option("--max-conns", server.max_conns,
                   "clients served at once; more get '!ERR server full' (default: no limit)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
    app.add_option("--max-line", server.limits.max_line, "longest request payload in bytes")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
        ->capture_default_str();
    app.add_flag("-q,--quiet", options.quiet, "do not print 'online N' on stderr");
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
