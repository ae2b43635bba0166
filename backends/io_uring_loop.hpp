#pragma once
// The io_uring backend's loop (see io_uring.cpp for how it serves): its constants, the client
// record, how a completion names its request, and the loop's state. Private to the backend:
// io_uring.cpp handles completions, io_uring_submit.cpp queues the requests.

#include <linux/time_types.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backend.hpp"
#include "idle_list.hpp"
#include "net.hpp"
#include "uring.hpp"

namespace robotbench::uring_backend {

// Submission slots; the completion queue is larger, since one multishot request completes often.
constexpr unsigned sq_entries = 1024;
constexpr unsigned cq_entries = 8 * sq_entries;
// The receive buffers every client shares: 4 MiB, whatever the number of clients.
constexpr unsigned buffer_count = 256;
constexpr unsigned buffer_size = 16 * 1024;
constexpr std::uint16_t buffer_group = 0;

// A completion's user_data: a client's address with the operation in its low bits, or one of the
// server's own tags, all below any heap address.
enum class op : std::uint64_t { recv = 1, send = 2 };
constexpr std::uint64_t op_bits = 7;
constexpr std::uint64_t tag_cancel = 0;  // cancel requests: their completions say nothing
constexpr std::uint64_t tag_accept = 8;
constexpr std::uint64_t tag_stop = 16;
constexpr std::uint64_t tag_backoff = 24;
constexpr std::uint64_t tag_listen_poll = 32;
constexpr std::uint64_t first_address = 4096;

// One client. Created on accept and owned by the server's client list; freed once it is closed
// and every request that refers to it has completed. In the idle list while it is open. Loop
// thread only.
struct client : idle_hook {
    client(unique_fd socket, const protocol::session_limits& limits)
        : fd(std::move(socket)), session(limits) {}

    unique_fd fd;
    protocol::session session;
    std::string held;        // input that came while a send was in flight; empty when idle
    std::size_t index = 0;   // its place in the server's client list
    bool receiving = false;  // the multishot recv is armed (its last completion has not come)
    bool cancelling = false; // a cancel of that recv is submitted
    bool sending = false;    // a send of session.output() is in flight
    bool eof = false;        // the client half-closed; the session hears it once `held` is fed
    bool dirty = false;      // listed for a look once this batch of completions is handled
    bool closed = false;     // counted off; freed once no request refers to it
};
static_assert(alignof(client) > op_bits, "the operation lives in a client address's low bits");

// The user_data of a request that does `what` for client `c`.
inline std::uint64_t tag(client& c, op what) {
    return reinterpret_cast<std::uintptr_t>(&c) | static_cast<std::uint64_t>(what);
}

// The state of one serve() call, on the serving thread's stack.
class uring_loop {
public:
    uring_loop(const server_options& options, const server_context& ctx);

    // Serves until stop is requested, then closes every client and returns once no request is
    // left in the ring. Throws std::system_error when the ring fails.
    void run();

private:
    void on_completion(const io_uring_cqe& cqe);
    void on_accept(int res, unsigned flags);
    void on_listener_readable();
    void on_recv(client& c, int res, unsigned flags);
    void on_send(client& c, int res);
    void on_stop();
    void close_idle_clients();
    // Hands input to the session; a completed line is progress.
    void feed(client& c, std::span<const char> bytes);
    // Waits for at least one completion, or until the longest-idle client expires.
    void submit_and_wait();

    // Serves a new client, or refuses it when --max-conns is reached or the server is stopping.
    void take(unique_fd socket);
    // What a client needs once the batch is handled: feed held input, send, close, read or not.
    void settle(client& c);
    void update_reading(client& c);
    void feed_held(client& c);
    // Counts the client off and cancels its requests; settle() frees it after their completions.
    void close(client& c);
    void destroy(client& c);
    void mark(client& c);

    void arm_accept();
    void arm_listen_poll();
    // Waits `ms` before accepting again.
    void arm_backoff(int ms);
    void arm_recv(client& c);
    void send(client& c);
    // Cancels the request with this user_data, or every request on a client's socket.
    void cancel(std::uint64_t user_data);
    void cancel_all(const client& c);
    bool drained() const noexcept;

    const server_options& options_;
    const server_context& ctx_;
    // Declared before the ring, so destroyed after it: no request can still point into a client.
    std::vector<std::unique_ptr<client>> clients_;
    std::vector<client*> dirty_;  // clients with completions in this batch, or closed in it
    uring::ring ring_;
    uring::buffer_ring buffers_;  // destroyed before the ring it is registered with
    // --idle-timeout: the open clients by last progress, and the time read after each wait
    // while the timeout is on (what progress is stamped with).
    idle_list<client> idle_;
    idle_clock::time_point now_{};
    acceptor shedder_;  // takes and refuses a waiting client on EMFILE/ENFILE, pauses on failure
    __kernel_timespec backoff_{};  // the pending backoff timeout's length
    // At most one of these is armed at a time, until stop.
    bool accepting_ = false;    // the multishot accept
    bool polling_ = false;      // a poll on the listener, while out of descriptors
    bool backing_off_ = false;  // a timeout before accepting again
    bool stopping_ = false;
};

}  // namespace robotbench::uring_backend
