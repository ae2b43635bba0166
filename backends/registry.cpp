#include <sys/select.h>

#include <array>

#include "backend.hpp"

namespace robotbench {

namespace {

bool always() { return true; }

// Descriptors the select server holds besides its clients: stdin, stdout, stderr, the listener,
// the stop event and the acceptor's spare. Clients get the rest of the descriptors below
// FD_SETSIZE.
constexpr std::size_t select_reserved_fds = 6;

constexpr std::array rows{
    backend_info{"select", "", "one process, one thread, select(2) over non-blocking sockets",
                 always, make_select_server, FD_SETSIZE - select_reserved_fds,
                 "select(2) takes descriptors below FD_SETSIZE only"},
    backend_info{"fork", "", "a child process per client; the parent counts and reaps them",
                 always, make_fork_server, 0, ""},
    backend_info{"thread", "thread-pool",
                 "a fixed pool of worker threads sharing one epoll set (one-shot events)", always,
                 make_thread_pool_server, 0, ""},
    backend_info{"libuv", "", "a libuv event loop (uv_tcp_t, uv_read_start, uv_write)", always,
                 make_libuv_server, 0, ""},
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
