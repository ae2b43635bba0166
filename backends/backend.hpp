#pragma once
// The server backend interface and registry. A backend decides only how bytes move (who waits
// on which socket, in which thread or process); the protocol itself is protocol::session.
// A new concurrency model is one more source file here and one more registry row.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "presence.hpp"
#include "protocol/session.hpp"
#include "stop_event.hpp"

namespace robotbench {

// Settings shared by every backend, from `robotbench serve`'s flags.
struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;               // the port asked for; 0 picks a free one
    unsigned threads = 0;                 // worker threads for threaded backends; 0: one per core
    std::size_t max_conns = 0;            // clients served at once; 0: only the descriptor limit
    protocol::session_limits limits;      // per-client line and output bounds
};

// What a backend serves with. Owned by the caller and alive for the whole of serve().
struct server_context {
    int listener;                  // bound, listening, non-blocking; the backend must not close it
    std::uint16_t port;            // the port actually bound, for backends that open more listeners
    const server_options& options;
    presence& online;              // count every client from accept until the server closed it
    const stop_event& stop;        // readable once the server must stop
};

// One concurrency model. serve() is called once, on the main thread.
class server {
public:
    virtual ~server() = default;
    // Serves clients until ctx.stop fires, then closes every client and ends every thread and
    // child process it started before returning. Throws std::system_error on setup failures.
    virtual void serve(const server_context& ctx) = 0;
};

// A registry row.
struct backend_info {
    std::string_view name;
    std::string_view alias;        // another accepted name, or empty
    std::string_view description;  // one line for `robotbench list`
    bool (*available)();           // false when not usable in this build or on this machine
    std::unique_ptr<server> (*make)(const server_options&);
    std::size_t max_clients = 0;   // clients it can ever serve at once; 0: no fixed limit
    std::string_view limit_reason; // what sets max_clients, for reports
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

}  // namespace robotbench

namespace robotbench {

// True when --max-conns is set and that many clients are online already.
inline bool at_capacity(const server_options& options, const presence& online) {
    return options.max_conns != 0 &&
           online.count() >= static_cast<std::int64_t>(options.max_conns);
}

}  // namespace robotbench
