// The io_uring backend: one thread, one ring, completions instead of readiness. One multishot
// accept takes every client; each client has one multishot recv that fills buffers from a ring
// of provided buffers shared by all clients (no read buffer per connection); the replies to all
// that one batch of completions brought from a client leave in one send; a poll request watches
// the stop event. Out of descriptors, an accept request fails at once (it takes a descriptor
// before it looks for a client), so the listener is polled instead and each client that comes
// is shed with the acceptor's spare descriptor, until a descriptor is free again. When even that
// fails, or the kernel is out of memory, the acceptor pauses and a timeout waits out the pause
// (growing while the failures go on) before accepting is tried again.
//
// A send points straight into the session's output buffer, which moves when input is fed or sent
// bytes are compacted away. So while a client's send is in flight it is not fed: what its recv
// brings meanwhile waits in `held` (the provided buffer goes back to the ring at once), and when
// input is held once a batch is done, the recv is cancelled, so a client that does not read is
// paused with bounded memory. It is re-armed when the send completed and the held input is fed.
//
// --idle-timeout: the clients are kept in an idle_list by last progress (a recv that completed a
// line, a send that moved bytes), and the wait for completions ends at the longest-idle client's
// deadline (io_uring_submit_and_wait_timeout, one system call as before); expired clients are
// told why with one direct send and closed like any other.

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include "io_uring_loop.hpp"

namespace robotbench {

namespace uring_backend {

uring_loop::uring_loop(const server_options& options, const server_context& ctx)
    : options_(options),
      ctx_(ctx),
      ring_(sq_entries, cq_entries,
            {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_COOP_TASKRUN,
             0}),
      buffers_(ring_, buffer_group, buffer_count, buffer_size),
      idle_(options.idle_timeout),
      shedder_(ctx.listener, /*nonblocking_clients=*/false) {
    io_uring_register_ring_fd(ring_.get());  // saves a descriptor lookup per enter; optional
}

void uring_loop::run() {
    io_uring_sqe* stop = ring_.next_sqe();
    io_uring_prep_poll_add(stop, ctx_.stop.fd(), POLLIN);
    io_uring_sqe_set_data64(stop, tag_stop);
    arm_accept();
    for (;;) {
        for (std::size_t i = 0; i < dirty_.size(); ++i) settle(*dirty_[i]);
        dirty_.clear();
        if (drained()) return;
        buffers_.publish();
        submit_and_wait();
        unsigned head = 0, seen = 0;
        io_uring_cqe* cqe = nullptr;
        io_uring_for_each_cqe(ring_.get(), head, cqe) {
            on_completion(*cqe);
            ++seen;
        }
        io_uring_cq_advance(ring_.get(), seen);
        close_idle_clients();
    }
}

void uring_loop::submit_and_wait() {
    int status = 0;
    const auto deadline = idle_.next_deadline();
    if (!deadline) {
        status = io_uring_submit_and_wait(ring_.get(), 1);
    } else {
        const auto left = std::max(*deadline - now_, idle_clock::duration::zero());
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
        __kernel_timespec wait{.tv_sec = ns / 1'000'000'000, .tv_nsec = ns % 1'000'000'000};
        io_uring_cqe* first = nullptr;
        status = io_uring_submit_and_wait_timeout(ring_.get(), &first, 1, &wait, nullptr);
        if (status == -ETIME) status = 0;
    }
    if (status < 0 && status != -EINTR && status != -EAGAIN && status != -EBUSY)
        throw std::system_error(-status, std::generic_category(), "io_uring_enter");
    if (idle_.enabled()) now_ = idle_clock::now();
}

// Tells each client that made no progress for --idle-timeout why (a direct send, when no send of
// its own is in flight and no reply waits), then closes it as any other.
void uring_loop::close_idle_clients() {
    while (client* c = idle_.expired(now_)) {
        if (!c->sending && c->session.output().empty()) {
            const auto& text = protocol::idle_timeout_reply;
            [[maybe_unused]] auto n =
                ::send(c->fd.get(), text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        close(*c);  // takes it out of the idle list
    }
}

void uring_loop::feed(client& c, std::span<const char> bytes) {
    if (c.session.on_input(bytes, ctx_.online.count()) > 0) idle_.touch(c, now_);
}

bool uring_loop::drained() const noexcept {
    return stopping_ && clients_.empty() && !accepting_ && !polling_ && !backing_off_;
}

void uring_loop::on_completion(const io_uring_cqe& cqe) {
    const std::uint64_t data = cqe.user_data;
    if (data >= first_address) {
        client& c = *reinterpret_cast<client*>(data & ~op_bits);
        if (static_cast<op>(data & op_bits) == op::recv)
            on_recv(c, cqe.res, cqe.flags);
        else
            on_send(c, cqe.res);
        return;
    }
    switch (data) {
        case tag_accept:
            return on_accept(cqe.res, cqe.flags);
        case tag_stop:
            return on_stop();
        case tag_listen_poll:
            polling_ = false;
            if (stopping_) return;
            if (cqe.res >= 0)
                on_listener_readable();
            else
                arm_backoff(static_cast<int>(acceptor::longest_pause.count()));
            return;
        case tag_backoff:
            backing_off_ = false;
            if (!stopping_) arm_accept();
            return;
        default:
            return;  // a cancel request's own completion
    }
}

void uring_loop::on_accept(int res, unsigned flags) {
    if (res >= 0) take(unique_fd(res));
    if (flags & IORING_CQE_F_MORE) return;
    // The multishot accept ended: re-arm it at once if that cannot repeat the same error. Out
    // of descriptors or memory, the acceptor takes over (accept4 with its spare descriptor, and
    // a growing pause when even that fails) until a client is accepted again.
    accepting_ = false;
    if (stopping_ || res == -ECANCELED) return;
    if (res >= 0 || res == -ECONNABORTED || res == -EINTR || res == -EAGAIN)
        arm_accept();
    else
        arm_listen_poll();
}

void uring_loop::on_listener_readable() {
    if (auto socket = shedder_.accept()) {  // a descriptor (or memory) is there again
        take(std::move(*socket));
        arm_accept();
    } else if (const int pause_ms = shedder_.pause_left_ms(); pause_ms >= 0) {
        arm_backoff(pause_ms);  // even the spare descriptor could not help, or out of memory
    } else {
        arm_listen_poll();  // the waiting client was refused (or left); wait for the next
    }
}

void uring_loop::take(unique_fd socket) {
    if (stopping_) return;
    set_nodelay(socket.get());
    if (at_capacity(options_, ctx_.online)) return refuse_full(std::move(socket));
    auto owned = std::make_unique<client>(std::move(socket), options_.limits);
    client& c = *owned;
    c.index = clients_.size();
    clients_.push_back(std::move(owned));
    ctx_.online.add();
    idle_.touch(c, now_);
    arm_recv(c);
}

void uring_loop::on_recv(client& c, int res, unsigned flags) {
    if (!(flags & IORING_CQE_F_MORE)) c.receiving = c.cancelling = false;
    mark(c);
    if (flags & IORING_CQE_F_BUFFER) {
        const auto id = static_cast<std::uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
        if (res > 0 && !c.closed && !c.session.closing()) {
            const auto bytes = buffers_.bytes(id, static_cast<std::size_t>(res));
            if (c.sending || !c.held.empty() || !c.session.wants_input())
                c.held.append(bytes.data(), bytes.size());
            else
                feed(c, bytes);
        }
        buffers_.recycle(id);  // consumed (or copied) above: back to the ring at once
    }
    if (res > 0 || c.closed) return;
    if (res == 0)
        c.eof = true;
    else if (res != -ENOBUFS && res != -ECANCELED)
        close(c);  // a reset or another error: nothing more can be read or sent
    // ENOBUFS: the ring ran dry, which takes a full ring's worth of completions since the last
    // publish; settle() re-arms the recv after this batch, once every buffer went back.
}

void uring_loop::on_send(client& c, int res) {
    c.sending = false;
    mark(c);
    if (c.closed) return;
    if (res > 0) {
        c.session.consume(static_cast<std::size_t>(res));  // a short send: settle() sends the rest
        idle_.touch(c, now_);
    } else
        close(c);  // the client is gone (EPIPE, ECONNRESET)
}

void uring_loop::on_stop() {
    stopping_ = true;
    if (accepting_) cancel(tag_accept);
    if (polling_) cancel(tag_listen_poll);
    if (backing_off_) cancel(tag_backoff);
    for (const auto& c : clients_) close(*c);
}

void uring_loop::mark(client& c) {
    if (c.dirty) return;
    c.dirty = true;
    dirty_.push_back(&c);
}

void uring_loop::settle(client& c) {
    c.dirty = false;
    if (c.closed) {
        if (!c.receiving && !c.sending) destroy(c);
        return;
    }
    if (!c.sending) {
        feed_held(c);
        if (c.eof && c.held.empty()) c.session.on_eof();
        if (!c.session.output().empty()) {
            send(c);
        } else if (c.session.finished()) {
            return close(c);
        }
    }
    update_reading(c);
}

void uring_loop::feed_held(client& c) {
    if (c.held.empty()) return;
    std::size_t fed = 0;
    while (fed < c.held.size() && c.session.wants_input()) {
        const std::size_t n = std::min<std::size_t>(buffer_size, c.held.size() - fed);
        feed(c, {c.held.data() + fed, n});
        fed += n;
    }
    if (fed == c.held.size() || c.session.closing())
        std::string().swap(c.held);  // an idle client keeps no input memory
    else
        c.held.erase(0, fed);
}

void uring_loop::update_reading(client& c) {
    const bool paused = !c.held.empty();
    if (paused || c.eof || c.session.closing()) {
        if (c.receiving && !c.cancelling) {
            cancel(tag(c, op::recv));
            c.cancelling = true;
        }
    } else if (!c.receiving) {
        arm_recv(c);
    }
}

void uring_loop::close(client& c) {
    if (c.closed) return;
    c.closed = true;
    idle_.remove(c);
    ctx_.online.remove();
    std::string().swap(c.held);
    if (c.receiving || c.sending) cancel_all(c);
    mark(c);
}

void uring_loop::destroy(client& c) {
    close_gracefully(std::move(c.fd));
    const std::size_t at = c.index;
    if (at + 1 != clients_.size()) {
        clients_[at] = std::move(clients_.back());
        clients_[at]->index = at;
    }
    clients_.pop_back();  // frees c
}

}  // namespace uring_backend

namespace {

class io_uring_server final : public server {
public:
    explicit io_uring_server(const server_options& options) : options_(options) {}
    void serve(const server_context& ctx) override {
        uring_backend::uring_loop loop(options_, ctx);
        ctx.ready(1);
        loop.run();
    }

private:
    server_options options_;
};

}  // namespace

std::unique_ptr<server> make_io_uring_server(const server_options& options) {
    return std::make_unique<io_uring_server>(options);
}

}  // namespace robotbench
