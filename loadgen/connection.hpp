#pragma once
// One client connection of the load generator: its socket, its payloads, its in-flight FIFO and
// reply parser, and its send buffer. How connections are scheduled is the workers' business.

#include <sys/epoll.h>

#include <cstdint>
#include <span>
#include <string_view>

#include "client_socket.hpp"
#include "clock.hpp"
#include "out_buffer.hpp"
#include "payload.hpp"
#include "protocol/line_splitter.hpp"
#include "system/unique_fd.hpp"
#include "validator.hpp"

namespace robotbench::loadgen {

// Where a connection is in its life: no socket, connect in progress, established.
enum class conn_state { idle, connecting, open };

// The poller registration of every client socket, made once: edge-triggered, so the kernel does
// not poll ready sockets again on every wait and no epoll_ctl is needed when a send would block.
// Readers therefore read until a short read; EPOLLOUT comes when a full send buffer drains (and
// when a connect completes).
constexpr std::uint32_t socket_events = EPOLLIN | EPOLLOUT | EPOLLET;

// How a read ended.
enum class read_outcome {
    ok,        // every byte available was read and judged
    closed,    // the server closed the connection
    reset,     // ECONNRESET or another hard error
    too_long,  // a reply line longer than any valid echo
};

// Owned and used by one generator thread.
class client_connection {
  public:
    // `expected_in_flight` sizes the FIFO and send buffer so that steady state never allocates.
    client_connection(std::uint32_t id, std::size_t payload_size, std::size_t expected_in_flight);

    conn_state state() const noexcept { return state_; }
    int fd() const noexcept { return fd_.get(); }

    // Starts connecting. Returns 0 (connecting or, on loopback, maybe already open: see state()),
    // or the errno of a connect that failed at once.
    int connect(const resolved_endpoint& target, std::int64_t now);
    // The poller reported the connecting socket ready: 0 when it is open now, else the errno.
    int complete_connect() noexcept;
    std::int64_t connect_started_ns() const noexcept { return connect_started_; }

    // Appends one request (the next sequence number) to the send buffer and the FIFO.
    void enqueue(std::int64_t intended_ns, std::int64_t now) {
        const std::uint64_t seq = next_seq_++;
        payloads_.write_request(out_.append(payloads_.request_size()), seq);
        validator_.sent(seq, intended_ns, now);
    }

    // Sends what the buffer holds: ok when all of it left, again when the socket is full, reset
    // on a hard error.
    io_status flush() noexcept;
    bool output_pending() const noexcept { return !out_.empty(); }

    // Reads everything available (64 KiB at a time into `scratch`, until a short read, as the
    // edge-triggered registration needs), judges every reply line and calls
    // on_reply(const reply_verdict&, std::int64_t received_ns) for each.
    template <class OnReply>
    read_outcome read(std::span<char> scratch, error_counts& errors, OnReply&& on_reply);

    // Closes the socket and forgets buffered bytes. The FIFO is left to the caller to settle.
    void close() noexcept;

    // Becomes another connection (churn): new id, sequence numbers from 0.
    void set_id(std::uint32_t id) noexcept { payloads_.set_connection(id), next_seq_ = 0; }

    reply_validator& validator() noexcept { return validator_; }
    const reply_validator& validator() const noexcept { return validator_; }

  private:
    unique_fd fd_;
    conn_state state_ = conn_state::idle;
    std::int64_t connect_started_ = 0;
    std::uint64_t next_seq_ = 0;
    payload_builder payloads_;
    reply_validator validator_;
    protocol::line_splitter splitter_;
    out_buffer out_;
};

template <class OnReply>
read_outcome client_connection::read(std::span<char> scratch, error_counts& errors,
                                     OnReply&& on_reply) {
    for (;;) {
        const io_result r = read_some(fd_.get(), scratch);
        if (r.status == io_status::again) return read_outcome::ok;
        if (r.status == io_status::closed) return read_outcome::closed;
        if (r.status == io_status::reset) return read_outcome::reset;
        const std::int64_t now = now_ns();
        const auto status = splitter_.feed(scratch.first(r.bytes), [&](std::string_view line) {
            on_reply(validator_.on_reply(line, payloads_, errors), now);
            return true;
        });
        if (status == protocol::split_status::too_long) return read_outcome::too_long;
        if (r.bytes < scratch.size()) return read_outcome::ok;
    }
}

}  // namespace robotbench::loadgen
