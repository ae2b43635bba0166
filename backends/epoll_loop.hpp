#pragma once
// One edge-triggered epoll event loop, written once for the epoll backend (one loop on the
// serving thread) and the reactors backend (one loop per worker thread). A loop owns its epoll
// set and every client it serves; it may also accept clients and spread them over loops. With
// --idle-timeout, epoll_wait's timeout is the time until the longest-idle client expires: the
// clients are kept in an idle_list by last progress, so progress costs a list move and no
// system call.

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "backend.hpp"
#include "idle_list.hpp"
#include "net.hpp"
#include "protocol/session.hpp"
#include "system/unique_fd.hpp"

namespace robotbench {

// A client as its loop holds it: the socket and its session, plus what the socket last said
// about itself, since an edge-triggered set reports each change only once; in the loop's idle
// list by its last progress. Loop thread only.
struct epoll_client : idle_hook {
    epoll_client(unique_fd socket, const protocol::session_limits& limits)
        : fd(std::move(socket)), session(limits) {}

    unique_fd fd;
    protocol::session session;
    bool can_read = false;  // input may be waiting: no EAGAIN or EOF since the last read edge
    bool can_write = true;  // the socket may take more: no EAGAIN since the last write edge
    bool queued = false;    // in the loop's backlog: input left over after its last turn
    bool peer_done = false; // the peer shut down or failed: read on until recv says so
};

// One epoll set and the clients registered in it. Built and destroyed on the main thread;
// run() runs on one thread (the loop thread); hand_over() may be called from any thread.
class epoll_loop {
  public:
    // Creates the epoll set and watches the stop event. Throws std::system_error.
    epoll_loop(const server_options& options, const server_context& ctx);
    // Closes every client still held (and every one handed over but not taken yet) and counts
    // each off. Only once run() has returned or never started.
    ~epoll_loop();
    epoll_loop(const epoll_loop&) = delete;
    epoll_loop& operator=(const epoll_loop&) = delete;

    // Makes this loop the acceptor: it accepts from ctx.listener, refuses clients past
    // --max-conns, counts the others online and gives them round-robin to `targets` (which may
    // include this loop; each must outlive run()). Before run(), on the thread that built it.
    void accept_into(std::vector<epoll_loop*> targets);

    // Serves until the stop event fires. Throws std::system_error when epoll itself fails.
    void run();

    // Gives this loop a client that is already counted online; the loop registers it on its own
    // thread. Any thread.
    void hand_over(unique_fd client) noexcept;

  private:
    void accept_clients();
    // The epoll_wait timeout: `idle` (-1 or 0), shortened to the end of a pause of accepting,
    // which resumes watching the listener once it is over.
    int wait_timeout(int idle);
    void take_handed_over();
    void add_client(unique_fd socket) noexcept;
    void on_client_event(int fd, std::uint32_t events, std::span<char> spill) noexcept;
    void serve_client(int fd, std::span<char> spill) noexcept;
    bool serve(epoll_client& c, std::span<char> spill);
    void close_client(int fd) noexcept;
    void close_idle_clients() noexcept;

    const server_options& options_;
    const server_context& ctx_;
    unique_fd epoll_;
    unique_fd wake_;  // eventfd: readable while hand_over() left clients in handed_
    std::vector<std::unique_ptr<epoll_client>> clients_;  // indexed by descriptor; loop thread
    // Descriptors of clients whose turn ended with input left, served after the next events
    // without waiting; and its swap partner. Room for every client is reserved in advance, so
    // queueing never allocates. Loop thread only.
    std::vector<int> backlog_;
    std::vector<int> turns_;
    // --idle-timeout: the clients by last progress, and the time read after each wait while the
    // timeout is on (what progress is stamped with). Loop thread only.
    idle_list<epoll_client> idle_;
    idle_clock::time_point now_{};

    // Acceptor role (set by accept_into()); loop thread only.
    std::unique_ptr<acceptor> acceptor_;
    bool listener_watched_ = false;  // false while accepting is paused
    std::vector<epoll_loop*> targets_;
    std::size_t next_target_ = 0;

    std::mutex handed_mutex_;
    std::vector<unique_fd> handed_;  // clients handed over, not yet registered; handed_mutex_
    std::vector<unique_fd> taking_;  // the loop thread's swap partner for handed_
};

}  // namespace robotbench
