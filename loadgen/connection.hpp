#pragma once
// One client connection of the load generator: its socket, its payloads, its in-flight FIFO and
// reply parser, and its send buffer. How connections are scheduled is the workers' business.

#include <sys/epoll.h>

#include <cstdint>
#include <cstring>
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

    // Appends n requests (the next sequence numbers) to the send buffer and the FIFO, all
    // intended at `intended_ns` and sent at `now`.
    void enqueue(std::size_t n, std::int64_t intended_ns, std::int64_t now) {
        payloads_.write_requests(out_.append(n * payloads_.request_size()), next_seq_, n);
        for (std::size_t k = 0; k < n; ++k) validator_.sent(next_seq_++, intended_ns, now);
    }
    // Appends one request.
    void enqueue(std::int64_t intended_ns, std::int64_t now) { enqueue(1, intended_ns, now); }

    // Sends what the buffer holds: ok when all of it left, again when the socket is full, reset
    // on a hard error.
    io_status flush() noexcept;
    bool output_pending() const noexcept { return !out_.empty(); }

    // Reads everything available (64 KiB at a time into `scratch`, until a short read, as the
    // edge-triggered registration needs), judges every reply line and calls
    // on_reply(const reply_verdict&, std::int64_t received_ns) for each.
    template <class OnReply>
    read_outcome read(std::span<char> scratch, error_counts& errors, OnReply&& on_reply);

    // Judges the reply bytes `bytes`, received at `now`, as read() does with what it reads: every
    // complete line, byte for byte, against the requests in flight; an unfinished line is kept
    // for the next call. Calls on_reply(const reply_verdict&, std::int64_t received_ns) for each
    // line; false when a line is longer than any valid echo (the stream is then broken).
    template <class OnReply>
    bool judge(std::string_view bytes, std::int64_t now, error_counts& errors, OnReply&& on_reply);

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
        if (!judge(std::string_view(scratch.data(), r.bytes), now_ns(), errors, on_reply))
            return read_outcome::too_long;
        if (r.bytes < scratch.size()) return read_outcome::ok;
    }
}

template <class OnReply>
bool client_connection::judge(std::string_view bytes, std::int64_t now, error_counts& errors,
                              OnReply&& on_reply) {
    const std::size_t reply_size = payloads_.reply_size();
    const auto judge_line = [&](std::string_view line) {
        on_reply(validator_.on_reply(line, payloads_, errors), now);
        return true;
    };
    for (;;) {
        // Whole reply lines that are exactly the echo of the oldest request in flight are taken
        // in one comparison each, the line splitter not involved: the verdict is the one the
        // splitter and on_reply would have given, since the echo holds no LF before its end.
        if (splitter_.buffered() == 0) {
            reply_verdict verdict;
            while (bytes.size() >= reply_size &&
                   validator_.take_exact(bytes.substr(0, reply_size), payloads_, verdict)) {
                on_reply(verdict, now);
                bytes.remove_prefix(reply_size);
            }
        }
        if (bytes.empty()) return true;
        // Anything else (an unfinished line, a wrong or reordered reply, a CR LF ending) goes
        // through the splitter and on_reply, one line at a time.
        const void* lf = std::memchr(bytes.data(), '\n', bytes.size());
        const std::size_t take = lf == nullptr
                                     ? bytes.size()
                                     : std::size_t(static_cast<const char*>(lf) - bytes.data()) + 1;
        if (splitter_.feed(bytes.substr(0, take), judge_line) == protocol::split_status::too_long)
            return false;
        bytes.remove_prefix(take);
    }
}

}  // namespace robotbench::loadgen
