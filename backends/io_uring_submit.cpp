// The io_uring backend's submissions: each queues one request in the ring (submitted with the
// next wait for completions) and notes what is now armed. Loop thread only.

#include <poll.h>
#include <sys/socket.h>

#include "io_uring_loop.hpp"

namespace robotbench::uring_backend {

void uring_loop::arm_accept() {
    io_uring_sqe* sqe = ring_.next_sqe();
    io_uring_prep_multishot_accept(sqe, ctx_.listener, nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, tag_accept);
    accepting_ = true;
}

void uring_loop::arm_listen_poll() {
    io_uring_sqe* sqe = ring_.next_sqe();
    io_uring_prep_poll_add(sqe, ctx_.listener, POLLIN);
    io_uring_sqe_set_data64(sqe, tag_listen_poll);
    polling_ = true;
}

void uring_loop::arm_backoff(int ms) {
    backoff_ = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1'000'000LL};
    io_uring_sqe* sqe = ring_.next_sqe();
    io_uring_prep_timeout(sqe, &backoff_, 0, 0);
    io_uring_sqe_set_data64(sqe, tag_backoff);
    backing_off_ = true;
}

void uring_loop::arm_recv(client& c) {
    io_uring_sqe* sqe = ring_.next_sqe();
    io_uring_prep_recv_multishot(sqe, c.fd.get(), nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = buffers_.group();
    io_uring_sqe_set_data64(sqe, tag(c, op::recv));
    c.receiving = true;
}

void uring_loop::send(client& c) {
    const auto out = c.session.output();
    io_uring_sqe* sqe = ring_.next_sqe();
    io_uring_prep_send(sqe, c.fd.get(), out.data(), out.size(), MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, tag(c, op::send));
    c.sending = true;
}

void uring_loop::cancel(std::uint64_t user_data) {
    io_uring_sqe* sqe = ring_.next_sqe();
    io_uring_prep_cancel64(sqe, user_data, 0);
    io_uring_sqe_set_data64(sqe, tag_cancel);
}

void uring_loop::cancel_all(const client& c) {
    // The socket stays open until destroy(), so its number cannot name another client yet.
    io_uring_sqe* sqe = ring_.next_sqe();
    io_uring_prep_cancel_fd(sqe, c.fd.get(), IORING_ASYNC_CANCEL_ALL);
    io_uring_sqe_set_data64(sqe, tag_cancel);
}

}  // namespace robotbench::uring_backend
