// The fork backend: the classic multiprocess server. The parent accepts, and forks one child
// per client, which serves it with blocking I/O (a blocked send is the backpressure) and exits.
// The parent counts a client on at accept and off when it reaps the child, so a child that
// crashed or was killed is counted off too; the count lives in shared memory, so every child
// answers `/online` with the global count.

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <memory>
#include <system_error>

#include "backend.hpp"
#include "child_set.hpp"
#include "child_setup.hpp"
#include "connection.hpp"
#include "net.hpp"

namespace robotbench {

namespace {

// Clients accepted per wakeup before the parent looks at stop and child exits again.
constexpr int accept_batch = 64;

// How long children get to end after SIGTERM on stop before they are killed.
constexpr std::chrono::milliseconds stop_grace{500};

// The descriptor a child keeps its client on.
constexpr int child_client_fd = 3;

// In a new child: closes everything inherited (listener, stop event, signalfd, spare
// descriptors) but the client, which moves to child_client_fd, and stderr; stdin and stdout
// become /dev/null so that no child holds the pipe a harness reads the server's stdout from.
// Async-signal-safe calls only.
unique_fd keep_only_client(unique_fd client) {
    const int fd = client.release();
    if (fd != child_client_fd && ::dup2(fd, child_client_fd) != child_client_fd) ::_exit(1);
    ::close_range(child_client_fd + 1, ~0U, 0);
    silence_stdin_stdout();
    return unique_fd(child_client_fd);
}

// The whole life of a child: serves its client on a blocking socket until the session ends (or
// the client is idle for --idle-timeout), then exits without returning into the parent's stack
// or running its destructors and atexit handlers. Touches no stdio: another thread of the parent
// may have held its locks at fork.
[[noreturn]] void run_child(unique_fd client, const server_options& options, const presence& online,
                            pid_t parent) noexcept {
    detach_from_parent(parent);
    try {
        connection conn(keep_only_client(std::move(client)), options.limits);
        std::array<char, read_chunk> scratch;  // left uninitialised: only what is read is touched
        serve_blocking(conn, scratch, online, options.idle_timeout);
    } catch (...) {
        ::_exit(1);
    }
    ::_exit(0);
}

class fork_server final : public server {
public:
    explicit fork_server(const server_options& options) : options_(options) {}
    void serve(const server_context& ctx) override;

private:
    void accept_clients(const server_context& ctx, acceptor& from, child_set& children);
    void start_child(const server_context& ctx, unique_fd client, child_set& children);

    server_options options_;
};

void fork_server::serve(const server_context& ctx) {
    const unique_fd child_exits = open_child_exits();
    child_set children([&online = ctx.online](pid_t, int) { online.remove(); });
    acceptor accept_from(ctx.listener, /*nonblocking_clients=*/false);
    std::array<pollfd, 3> waits{
        {{ctx.stop.fd(), POLLIN, 0}, {child_exits.get(), POLLIN, 0}, {ctx.listener, POLLIN, 0}}};
    ctx.ready(1);  // the parent holds each client only until it has forked
    for (;;) {
        // While accepting is paused the listener is not watched (poll skips a negative
        // descriptor), and poll wakes when the pause ends.
        const int pause_ms = accept_from.pause_left_ms();
        waits[2].fd = pause_ms < 0 ? ctx.listener : -1;
        if (::poll(waits.data(), waits.size(), pause_ms) < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        if (waits[0].revents != 0) break;
        if (waits[1].revents != 0) {
            drain_child_exits(child_exits.get());
            children.reap();
        }
        if (pause_ms < 0 ? waits[2].revents != 0 : !accept_from.paused())
            accept_clients(ctx, accept_from, children);
    }
    children.stop_all(stop_grace);
}

void fork_server::accept_clients(const server_context& ctx, acceptor& from, child_set& children) {
    for (int i = 0; i < accept_batch; ++i) {
        auto client = from.accept();
        if (!client) return;
        if (at_capacity(options_, ctx.online)) {
            refuse_full(std::move(*client));
            continue;
        }
        start_child(ctx, std::move(*client), children);
    }
}

void fork_server::start_child(const server_context& ctx, unique_fd client, child_set& children) {
    ctx.online.add();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) run_child(std::move(client), options_, ctx.online, parent);
    if (pid < 0) {
        // Out of processes or memory: this client is refused, the others are served on.
        ctx.online.remove();
        refuse_full(std::move(client));
        return;
    }
    children.add(pid);
}  // the parent's copy of the client socket closes here

}  // namespace

std::unique_ptr<server> make_fork_server(const server_options& options) {
    return std::make_unique<fork_server>(options);
}

}  // namespace robotbench
