#include "serve.hpp"

#include <fmt/core.h>
#include <signal.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <exception>
#include <latch>
#include <string>
#include <system_error>
#include <thread>

#include "backends/descriptors.hpp"
#include "backends/net.hpp"

namespace robotbench {

namespace {

// Lets the server hold as many clients as the hard limit allows.
void raise_descriptor_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
}

sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

// Blocks the signals the supervisor waits for (and SIGCHLD, which a forking backend reads from a
// signalfd) in this thread and so in every thread started after it.
void block_signals() {
    sigset_t set = stop_signals();
    sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}

// Waits for SIGINT/SIGTERM and turns it into a stop request; meanwhile shows the online count
// when it changes, at most ten times a second. Runs on its own thread until stop is requested.
void supervise(const stop_event& stop, const presence& online, bool quiet) {
    const sigset_t set = stop_signals();
    const timespec tick{0, 100'000'000};
    std::int64_t shown = 0;
    while (!stop.requested()) {
        if (::sigtimedwait(&set, nullptr, &tick) > 0) {
            stop.request();
            break;
        }
        const auto now = online.count();
        if (!quiet && now != shown) {
            // A stderr nobody reads any more (a closed pipe, a full disk) must not end the
            // server: the count stops being shown, and serving goes on.
            try {
                fmt::print(stderr, "online {}\n", now);
                std::fflush(stderr);
            } catch (const std::exception&) {
                quiet = true;
            }
            shown = now;
        }
    }
}

// The line for a failure: before the server listened, a setup step that ran out of descriptors
// says that the descriptor limit is too low to serve a client.
std::string failure_text(const std::exception& e, bool listening) {
    const auto* system = dynamic_cast<const std::system_error*>(&e);
    if (!listening && system != nullptr && system->code().category() == std::generic_category() &&
        is_descriptor_shortage(system->code().value()))
        return describe_descriptor_shortage(e.what());
    return e.what();
}

}  // namespace

int run_serve(const serve_options& options) {
    const backend_info* info = find_backend(options.backend);
    if (info == nullptr) {
        fmt::print(stderr, "robotbench serve: unknown backend '{}' (valid: {})\n", options.backend,
                   backend_names());
        return 2;
    }
    if (const auto why = info->unavailable(); !why.empty()) {
        fmt::print(stderr, "robotbench serve: backend '{}' is not available: {}\n", info->name,
                   why);
        return 2;
    }
    // How many clients it may serve at once, read before this process opens anything: the
    // machine-derived cap of a process- or thread-per-client model becomes its --max-conns.
    const client_capacity capacity = info->capacity(options.server);
    if (!capacity.cannot_start.empty()) {
        fmt::print(stderr, "robotbench serve: {} cannot start: {}\n", info->name,
                   capacity.cannot_start);
        return 1;
    }
    server_options settings = options.server;
    if (capacity.default_max_conns && settings.max_conns == 0) settings.max_conns = capacity.clients;
    raise_descriptor_limit();
    block_signals();
    bool listening = false;  // `listening on` was printed
    try {
        const auto listener = open_listener(settings.host, settings.port, /*reuse_port=*/true);
        const auto port = local_port(listener.get());
        presence online;
        stop_event stop;
        auto server = info->make(settings);
        // Called by the backend once it is set up: the last check, then the announcement, and
        // beside it (after, so that `listening on` stays the first line even with stderr joined
        // to stdout) the cap on clients and what sets it.
        const auto ready = [&](unsigned per_client) {
            require_free_descriptors(per_client, per_client == 1
                                                     ? std::string("one client")
                                                     : fmt::format("one client ({} descriptors "
                                                                   "for each)",
                                                                   per_client));
            fmt::print("listening on {}:{}\n", settings.host, port);
            std::fflush(stdout);
            listening = true;
            if (!options.quiet && capacity.clients != 0) {
                // As with the `online N` lines, a stderr nobody can write must not stop serving.
                try {
                    fmt::print(stderr,
                               "robotbench serve: {} serves at most {} clients at once ({}){}\n",
                               info->name, capacity.clients, capacity.reason,
                               capacity.default_max_conns ? "; --max-conns overrides" : "");
                    std::fflush(stderr);
                } catch (const std::exception&) {
                }
            }
        };
        // The supervisor is running before the backend starts: a backend that forks (prefork's
        // pool, fork's children) must not fork while this thread is still being set up, which
        // can hold a lock of the allocator (the sanitizers' runtimes) that the child would then
        // wait for for ever.
        std::latch supervising(1);
        std::thread supervisor([&] {
            supervising.count_down();
            supervise(stop, online, options.quiet);
        });
        supervising.wait();
        int status = 0;
        try {
            server->serve({listener.get(), port, online, stop, ready});
        } catch (const std::exception& e) {
            fmt::print(stderr, "robotbench serve: {}\n", failure_text(e, listening));
            status = 1;
        }
        stop.request();
        supervisor.join();
        return status;
    } catch (const std::exception& e) {
        fmt::print(stderr, "robotbench serve: {}\n", failure_text(e, listening));
        return 1;
    }
}

}  // namespace robotbench
