#include <sys/select.h>

#include <array>

#include <fmt/core.h>

#include "backend.hpp"
#include "client_cap.hpp"

namespace robotbench {

namespace {

std::string usable() { return {}; }

client_capacity unbounded(const server_options&) { return {}; }

// Descriptors the select server holds besides its clients: stdin, stdout, stderr, the listener,
// the stop event and the acceptor's spare. Clients get the rest of the descriptors below
// FD_SETSIZE.
constexpr std::size_t select_reserved_fds = 6;

client_capacity select_capacity(const server_options&) {
    client_capacity capacity;
    capacity.clients = FD_SETSIZE - select_reserved_fds;
    capacity.reason =
        fmt::format("select(2) takes descriptors below FD_SETSIZE ({}) only", FD_SETSIZE);
    return capacity;
}

// A child process per client: capped by the machine's tasks and memory unless --max-conns.
client_capacity fork_capacity(const server_options& options) {
    return per_client_capacity(options, process_per_client);
}

// A thread per client: capped by the machine's tasks, mappings and memory unless --max-conns.
client_capacity thread_per_client_capacity(const server_options& options) {
    return per_client_capacity(options, thread_per_client);
}

// One client per worker process: --workers (run and sweep: --server-workers) sets how many, and
// the machine must be able to run that many processes.
client_capacity prefork_capacity(const server_options& options) {
    client_capacity capacity;
    capacity.clients = options.workers;
    capacity.reason = fmt::format(
        "{} worker processes, one client each; --server-workers sets how many", options.workers);
    const client_capacity machine = client_cap(read_machine_limits(), process_per_client);
    if (!machine.cannot_start.empty() ||
        (machine.clients != 0 && options.workers > machine.clients))
        capacity.cannot_start = fmt::format(
            "{} worker processes (--workers; run: --server-workers) are more than this machine "
            "can run: at most {} ({})",
            options.workers, machine.clients, machine.reason);
    return capacity;
}

#ifdef ROBOTBENCH_HAVE_LIBUV
constexpr auto libuv_unavailable = usable;
constexpr auto make_libuv = make_libuv_server;
#else
std::string libuv_unavailable() { return "built without libuv (ROBOTBENCH_LIBUV=OFF or libuv not found)"; }
constexpr std::unique_ptr<server> (*make_libuv)(const server_options&) = nullptr;
#endif

#ifdef ROBOTBENCH_HAVE_IO_URING
constexpr auto uring_unavailable = io_uring_unavailable;
constexpr auto make_io_uring = make_io_uring_server;
#else
std::string uring_unavailable() {
    return "built without liburing (ROBOTBENCH_IO_URING=OFF or liburing-dev not found)";
}
constexpr std::unique_ptr<server> (*make_io_uring)(const server_options&) = nullptr;
#endif

constexpr std::array rows{
    backend_info{"select", "", "one process, one thread, select(2) over non-blocking sockets",
                 usable, make_select_server, select_capacity},
    backend_info{"fork", "", "a child process per client; the parent counts and reaps them",
                 usable, make_fork_server, fork_capacity},
    backend_info{"thread", "thread-pool",
                 "a fixed pool of worker threads sharing one epoll set (one-shot events)", usable,
                 make_thread_pool_server, unbounded},
    backend_info{"libuv", "", "a libuv event loop (uv_tcp_t, uv_read_start, uv_write)",
                 libuv_unavailable, make_libuv, unbounded},
    backend_info{"thread-per-client", "",
                 "a new thread per client with blocking I/O; the acceptor joins each as it ends",
                 usable, make_thread_per_client_server, thread_per_client_capacity},
    backend_info{"prefork", "",
                 "a fixed pool of worker processes (--workers) taking turns at accept, one "
                 "client each; a dead worker is replaced",
                 usable, make_prefork_server, prefork_capacity},
    backend_info{"epoll", "",
                 "one thread, edge-triggered epoll; each read (up to 64 KiB) answered in one write",
                 usable, make_epoll_server, unbounded},
    backend_info{"reactors", "",
                 "an edge-triggered epoll loop per thread (--threads); clients dealt round-robin",
                 usable, make_reactors_server, unbounded},
    backend_info{"io_uring", "",
                 "one thread, one io_uring: multishot accept and recv, shared provided buffers",
                 uring_unavailable, make_io_uring, unbounded},
};

}  // namespace

std::span<const backend_info> backends() { return rows; }

const backend_info* find_backend(std::string_view name) {
    for (const auto& row : rows)
        if (row.name == name || (!row.alias.empty() && row.alias == name)) return &row;
    return nullptr;
}

std::string backend_names() {
    std::string names;
    for (const auto& row : rows) {
        if (!names.empty()) names += ", ";
        names += row.name;
    }
    return names;
}

}  // namespace robotbench
