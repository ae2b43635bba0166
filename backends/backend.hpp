#pragma once
// The server backend interface and registry. A backend decides only how bytes move (who waits
// on which socket, in which thread or process); the protocol itself is protocol::session.
// A new concurrency model is one more source file here and one more registry row.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "presence.hpp"
#include "protocol/session.hpp"
#include "stop_event.hpp"

namespace robotbench {

// Worker processes a process-pool backend starts unless told otherwise: enough for the default
// 64-connection run with room to spare.
inline constexpr unsigned default_workers = 128;

// Settings shared by every backend, from `robotbench serve`'s flags.
struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;               // the port asked for; 0 picks a free one
    unsigned threads = 0;                 // worker threads for threaded backends; 0: one per core
    unsigned workers = default_workers;   // worker processes for process-pool backends
    std::size_t max_conns = 0;            // clients served at once; 0: only the descriptor limit
    // A client that makes no progress (no complete request line in, no reply bytes out) for this
    // long is told `!ERR idle timeout` and closed; 0: never (the default).
    std::chrono::nanoseconds idle_timeout{0};
    protocol::session_limits limits;      // per-client line and output bounds
};

// What a backend serves with. Owned by the caller and alive for the whole of serve(). The
// backend's settings reach it once, through its factory; the context holds only what exists
// while it serves.
struct server_context {
    int listener;            // bound, listening, non-blocking, SO_REUSEPORT; never closed here
    std::uint16_t port;      // the port actually bound: more SO_REUSEPORT listeners may share it
    presence& online;        // count every client from accept until the server closed it
    const stop_event& stop;  // readable once the server must stop
    // Called once by serve(), on its thread, when the backend has set up everything of its own
    // (descriptors, rings, loops, threads, worker processes) and before its first client:
    // checks that `per_client` more descriptors (what one client costs this model) can still
    // be opened, and announces that the server listens. Throws when they cannot; serve() then
    // ends what it started and lets the exception through.
    std::function<void(unsigned per_client)> ready;
};

// One concurrency model. serve() is called once, on the main thread.
class server {
public:
    virtual ~server() = default;
    // Sets up, calls ctx.ready(), then serves clients until ctx.stop fires; closes every client
    // and ends every thread and child process it started before returning. Throws
    // std::system_error on setup failures, which then come before ctx.ready().
    virtual void serve(const server_context& ctx) = 0;
};

// How many clients a backend can serve at once with given options, and what sets that bound.
struct client_capacity {
    std::size_t clients = 0;  // 0: no fixed limit (only descriptors, memory, --max-conns)
    std::string reason;       // what sets `clients`, for reports: "--workers=128 processes"
    // `serve` refuses clients beyond `clients` with `!ERR server full`, as a default
    // --max-conns (the machine-derived cap of the process- and thread-per-client models).
    bool default_max_conns = false;
    // Why the backend cannot start at all with these options on this machine (not even one
    // client fits, or more worker processes than the machine can run); empty when it can.
    std::string cannot_start;
};

// A registry row.
struct backend_info {
    std::string_view name;
    std::string_view alias;        // another accepted name, or empty
    std::string_view description;  // one line for `robotbench list`
    // Why the backend cannot run in this build or on this machine; empty when it can.
    std::string (*unavailable)();
    // Builds the server with its options; only called when unavailable() is empty.
    std::unique_ptr<server> (*make)(const server_options&);
    // The clients it can serve at once with these options, known before it starts.
    client_capacity (*capacity)(const server_options&);

    bool available() const { return unavailable().empty(); }
};

// Every backend this build knows, in the order `robotbench list` shows them.
std::span<const backend_info> backends();

// The row whose name or alias is `name`, or nullptr.
const backend_info* find_backend(std::string_view name);

// The valid names, comma-separated, for error messages.
std::string backend_names();

// Factories, one per backend source file.
std::unique_ptr<server> make_select_server(const server_options&);
std::unique_ptr<server> make_fork_server(const server_options&);
std::unique_ptr<server> make_thread_pool_server(const server_options&);
std::unique_ptr<server> make_libuv_server(const server_options&);
std::unique_ptr<server> make_thread_per_client_server(const server_options&);
std::unique_ptr<server> make_prefork_server(const server_options&);
std::unique_ptr<server> make_epoll_server(const server_options&);
std::unique_ptr<server> make_reactors_server(const server_options&);
std::unique_ptr<server> make_io_uring_server(const server_options&);

// Why io_uring cannot be used here (kernel, sysctl, build); empty when it can.
std::string io_uring_unavailable();

}  // namespace robotbench

namespace robotbench {

// True when --max-conns is set and that many clients are online already.
inline bool at_capacity(const server_options& options, const presence& online) {
    return options.max_conns != 0 &&
           online.count() >= static_cast<std::int64_t>(options.max_conns);
}

}  // namespace robotbench
