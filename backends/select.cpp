// The select backend: one process, one thread, select(2) over non-blocking sockets. Descriptors
// at or above FD_SETSIZE can never enter an fd_set, so such clients are refused as full. With
// --idle-timeout, select's timeout is the time left until the longest-idle client expires.

#include <sys/select.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <system_error>
#include <vector>

#include "backend.hpp"
#include "connection.hpp"
#include "idle_list.hpp"
#include "net.hpp"

namespace robotbench {

namespace {

// A client of the select loop, in the idle list by its last progress.
struct select_client : idle_hook {
    select_client(unique_fd fd, const protocol::session_limits& limits)
        : conn(std::move(fd), limits) {}
    connection conn;
};

class select_server final : public server {
public:
    explicit select_server(const server_options& options)
        : options_(options), idle_(options.idle_timeout) {}
    void serve(const server_context& ctx) override;

private:
    void accept_clients(const server_context& ctx, acceptor& from);
    void close_idle_clients(const server_context& ctx);
    void close_client(const server_context& ctx, int fd, bool graceful);

    server_options options_;
    std::vector<std::unique_ptr<select_client>> clients_ =
        std::vector<std::unique_ptr<select_client>>(FD_SETSIZE);  // indexed by descriptor
    int max_fd_ = -1;  // highest descriptor in clients_
    idle_list<select_client> idle_;
    idle_clock::time_point now_{};  // read after each select while the idle timeout is on
};

void select_server::serve(const server_context& ctx) {
    if (ctx.listener >= FD_SETSIZE || ctx.stop.fd() >= FD_SETSIZE)
        throw std::system_error(EMFILE, std::generic_category(), "select: listener above FD_SETSIZE");
    acceptor accept_from(ctx.listener);
    std::vector<char> scratch(read_chunk);
    ctx.ready(1);
    for (;;) {
        // While accepting is paused the listener is not watched, and select wakes when the
        // pause ends.
        const int pause_ms = accept_from.pause_left_ms();
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        if (pause_ms < 0) FD_SET(ctx.listener, &readable);
        FD_SET(ctx.stop.fd(), &readable);
        int nfds = std::max(ctx.listener, ctx.stop.fd());
        for (int fd = 0; fd <= max_fd_; ++fd) {
            if (!clients_[fd]) continue;
            const interest want = clients_[fd]->conn.current();
            if (want.read) FD_SET(fd, &readable);
            if (want.write) FD_SET(fd, &writable);
            nfds = std::max(nfds, fd);
        }
        // Until the longest-idle client expires or the accept pause ends (-1: no deadline).
        const int idle_ms = idle_.wait_ms(now_);
        const int wait_ms = pause_ms < 0 ? idle_ms : idle_ms < 0 ? pause_ms : std::min(idle_ms, pause_ms);
        timeval wait{.tv_sec = wait_ms / 1000, .tv_usec = wait_ms % 1000 * 1000};
        if (::select(nfds + 1, &readable, &writable, nullptr, wait_ms < 0 ? nullptr : &wait) < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "select");
        }
        if (idle_.enabled()) now_ = idle_clock::now();
        if (FD_ISSET(ctx.stop.fd(), &readable)) break;
        for (int fd = 0; fd <= max_fd_; ++fd) {
            if (!clients_[fd]) continue;
            const bool can_read = FD_ISSET(fd, &readable);
            if (!can_read && !FD_ISSET(fd, &writable)) continue;
            const interest next = clients_[fd]->conn.on_ready(can_read, scratch, ctx.online);
            if (next.close)
                close_client(ctx, fd, true);
            else if (next.progress)
                idle_.touch(*clients_[fd], now_);
        }
        if (pause_ms < 0 ? FD_ISSET(ctx.listener, &readable) : !accept_from.paused())
            accept_clients(ctx, accept_from);
        close_idle_clients(ctx);
    }
    for (int fd = 0; fd <= max_fd_; ++fd)
        if (clients_[fd]) close_client(ctx, fd, false);
}

void select_server::accept_clients(const server_context& ctx, acceptor& from) {
    for (int i = 0; i < 64; ++i) {
        auto client = from.accept();
        if (!client) return;
        const int fd = client->get();
        if (fd >= FD_SETSIZE || at_capacity(options_, ctx.online)) {
            refuse_full(std::move(*client));
            continue;
        }
        clients_[fd] = std::make_unique<select_client>(std::move(*client), options_.limits);
        ctx.online.add();
        idle_.touch(*clients_[fd], now_);
        max_fd_ = std::max(max_fd_, fd);
    }
}

// Closes every client that made no progress for --idle-timeout, longest idle first.
void select_server::close_idle_clients(const server_context& ctx) {
    while (select_client* c = idle_.expired(now_)) {
        const int fd = c->conn.fd();
        const bool pending = c->conn.replies_pending();
        close_idle(c->conn.release_fd(), pending);
        close_client(ctx, fd, false);  // frees it (out of the idle list) and counts it off
    }
}

void select_server::close_client(const server_context& ctx, int fd, bool graceful) {
    auto sock = clients_[fd]->conn.release_fd();
    clients_[fd].reset();
    if (graceful) close_gracefully(std::move(sock));
    ctx.online.remove();
    while (max_fd_ >= 0 && !clients_[max_fd_]) --max_fd_;
}

}  // namespace

std::unique_ptr<server> make_select_server(const server_options& options) {
    return std::make_unique<select_server>(options);
}

}  // namespace robotbench
