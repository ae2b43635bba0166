// The thread backend (alias thread-pool): a fixed pool of worker threads sharing one epoll set.
// Every client is registered one-shot, so a readiness event hands the client to exactly one
// worker, which serves it without blocking and then re-arms it or closes it. No worker is ever
// held by one client, so a few threads serve far more clients than there are threads. The
// listener is one-shot too (one worker accepts at a time); the stop event is level-triggered so
// that every worker sees it. While accepting is paused (out of descriptors or memory) the
// listener stays disarmed and a one-shot timer re-arms it when the pause ends.

#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include "backend.hpp"
#include "connection.hpp"
#include "net.hpp"

namespace robotbench {

namespace {

// Events one worker takes per epoll_wait: the clients in one batch wait for each other, so few.
constexpr int max_events = 8;
// Clients accepted per listener event before the listener is re-armed for the next worker.
constexpr int accept_batch = 64;

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// Orders one owner's writes to an object before the next owner's reads when the object passes
// between workers through a one-shot event. The kernel already orders the re-arm before the next
// delivery; this states the same order in the C++ memory model (and so to ThreadSanitizer).
class handoff {
public:
    // The owner, just before arming the event that passes the object on.
    void release() noexcept {
        turn_.store(turn_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }
    // The worker that received the event, before touching the object.
    void acquire() const noexcept { (void)turn_.load(std::memory_order_acquire); }

private:
    std::atomic<std::uint32_t> turn_{0};
};

// A client as the pool holds it; its address is the client's epoll data.
struct pooled_client {
    pooled_client(unique_fd fd, const protocol::session_limits& limits)
        : conn(std::move(fd), limits) {}

    connection conn;  // touched only by the worker holding the client's event
    handoff owner;    // passes the connection from one worker to the next
};

// The live clients, so that whatever is left when the workers have ended can be closed and
// counted off. Any worker may add or take; the lock is taken at accept and close only, never per
// request. Owns every connection it holds.
class client_registry {
public:
    // Creates the client for an accepted socket; the returned pointer stays valid until take()
    // is called with it.
    pooled_client* add(unique_fd fd, const protocol::session_limits& limits) {
        auto owned = std::make_unique<pooled_client>(std::move(fd), limits);
        pooled_client* c = owned.get();
        const std::lock_guard lock(mutex_);
        clients_.emplace(c, std::move(owned));
        return c;
    }

    // Removes a client and hands it to the caller, who closes it.
    std::unique_ptr<pooled_client> take(pooled_client* c) {
        std::unique_lock lock(mutex_);
        auto node = clients_.extract(c);
        lock.unlock();
        return std::move(node.mapped());
    }

    // Closes every remaining client and counts it off. Only once no worker runs any more.
    void close_all(presence& online) noexcept {
        for (auto& [c, owned] : clients_) {
            close_gracefully(owned->conn.release_fd());
            online.remove();
        }
        clients_.clear();
    }

private:
    std::mutex mutex_;
    std::unordered_map<pooled_client*, std::unique_ptr<pooled_client>> clients_;
};

// What one serve() call shares between its workers: the epoll set, the acceptor and the
// registry. Built and destroyed on the main thread; run_worker() runs on every pool thread.
class pool {
public:
    pool(const server_options& options, const server_context& ctx);
    ~pool() { clients_.close_all(ctx_.online); }
    pool(const pool&) = delete;
    pool& operator=(const pool&) = delete;

    // The body of each worker thread: serves events until stop is requested. A failure is kept
    // for rethrow_failure() and stops the whole pool.
    void run_worker() noexcept;

    // Rethrows the first failure of a worker, if any. Main thread, after the workers joined.
    void rethrow_failure();

private:
    void work();
    void accept_clients();
    void resume_accepting();
    void serve_client(pooled_client* c, std::uint32_t events, std::span<char> scratch);
    void close_client(pooled_client* c) noexcept;
    bool arm(int op, int fd, void* tag, std::uint32_t events) noexcept;

    const server_options& options_;
    const server_context& ctx_;
    unique_fd epoll_;         // the one epoll set every worker waits on
    acceptor acceptor_;       // used only by the worker holding the listener's one-shot event
    handoff listener_owner_;  // passes acceptor_ from one worker to the next
    unique_fd pause_timer_;   // timerfd, armed one-shot: ends a pause of accepting
    client_registry clients_;
    char stop_tag_ = 0;    // its address marks the stop event in the epoll set
    char listen_tag_ = 0;  // its address marks the listener in the epoll set
    char pause_tag_ = 0;   // its address marks the pause timer in the epoll set
    std::mutex failure_mutex_;
    std::exception_ptr failure_;  // the first exception a worker threw, guarded by failure_mutex_
};

pool::pool(const server_options& options, const server_context& ctx)
    : options_(options),
      ctx_(ctx),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      acceptor_(ctx.listener),
      pause_timer_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
    if (!epoll_) fail("epoll_create1");
    if (!pause_timer_) fail("timerfd_create");
    if (!arm(EPOLL_CTL_ADD, pause_timer_.get(), &pause_tag_, EPOLLIN)) fail("epoll_ctl add timer");
    epoll_event stop{.events = EPOLLIN, .data = {.ptr = &stop_tag_}};
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, ctx.stop.fd(), &stop) != 0)
        fail("epoll_ctl add stop event");
    if (!arm(EPOLL_CTL_ADD, ctx.listener, &listen_tag_, EPOLLIN)) fail("epoll_ctl add listener");
}

void pool::run_worker() noexcept {
    try {
        work();
    } catch (...) {
        {
            const std::lock_guard lock(failure_mutex_);
            if (!failure_) failure_ = std::current_exception();
        }
        ctx_.stop.request();
    }
}

void pool::rethrow_failure() {
    const std::lock_guard lock(failure_mutex_);
    if (failure_) std::rethrow_exception(failure_);
}

void pool::work() {
    std::vector<char> scratch(read_chunk);
    epoll_event events[max_events];
    for (;;) {
        const int n = ::epoll_wait(epoll_.get(), events, max_events, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("epoll_wait");
        }
        for (int i = 0; i < n; ++i) {
            void* tag = events[i].data.ptr;
            // Clients of this batch not served yet stay disarmed; the registry closes them.
            if (tag == &stop_tag_) return;
            if (tag == &listen_tag_)
                accept_clients();
            else if (tag == &pause_tag_)
                resume_accepting();
            else
                serve_client(static_cast<pooled_client*>(tag), events[i].events, scratch);
        }
    }
}

// Runs on the one worker holding the listener's event. Only this worker adds clients, so the
// count can only fall between the capacity check and the add.
void pool::accept_clients() {
    listener_owner_.acquire();
    const auto& options = options_;
    for (int i = 0; i < accept_batch; ++i) {
        auto client = acceptor_.accept();
        if (!client) break;
        if (at_capacity(options, ctx_.online)) {
            refuse_full(std::move(*client));
            continue;
        }
        const int fd = client->get();
        pooled_client* c = clients_.add(std::move(*client), options.limits);
        ctx_.online.add();
        // Once armed, another worker may own the client at once: it is not touched here again.
        c->owner.release();
        if (!arm(EPOLL_CTL_ADD, fd, c, EPOLLIN)) close_client(c);
    }
    listener_owner_.release();
    if (const int pause_ms = acceptor_.pause_left_ms(); pause_ms >= 0) {
        // The listener stays disarmed; whichever worker gets the timer's event re-arms it.
        const itimerspec at{.it_interval = {},
                            .it_value = {.tv_sec = pause_ms / 1000,
                                         .tv_nsec = (pause_ms % 1000) * 1'000'000L}};
        if (::timerfd_settime(pause_timer_.get(), 0, &at, nullptr) != 0) fail("timerfd_settime");
        if (!arm(EPOLL_CTL_MOD, pause_timer_.get(), &pause_tag_, EPOLLIN))
            fail("epoll_ctl arm timer");
        return;
    }
    if (!arm(EPOLL_CTL_MOD, ctx_.listener, &listen_tag_, EPOLLIN))
        fail("epoll_ctl re-arm listener");
}

// Runs on the one worker that received the pause timer's one-shot event: the pause is over, the
// listener is armed again and its next event goes to any worker.
void pool::resume_accepting() {
    std::uint64_t expirations = 0;
    [[maybe_unused]] auto n = ::read(pause_timer_.get(), &expirations, sizeof expirations);
    if (!arm(EPOLL_CTL_MOD, ctx_.listener, &listen_tag_, EPOLLIN))
        fail("epoll_ctl re-arm listener");
}

// Runs on the worker that received the client's one-shot event; that worker alone owns the
// client until it re-arms it or closes it. Hang-up and error count as readable, so the read or
// the write sees the end of the stream or the error.
void pool::serve_client(pooled_client* c, std::uint32_t events, std::span<char> scratch) {
    c->owner.acquire();
    const bool readable = (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0;
    const interest want = c->conn.on_ready(readable, scratch, ctx_.online);
    if (want.close) {
        close_client(c);
        return;
    }
    const std::uint32_t wait_for = (want.read ? EPOLLIN : 0u) | (want.write ? EPOLLOUT : 0u);
    // After a successful re-arm the client belongs to whichever worker gets its next event.
    const int fd = c->conn.fd();
    c->owner.release();
    if (!arm(EPOLL_CTL_MOD, fd, c, wait_for)) close_client(c);
}

// The caller owns `c` (it holds its event, or the client was never armed). Closing the socket
// also drops its epoll registration, which is disarmed, so no other worker can receive it.
void pool::close_client(pooled_client* c) noexcept {
    auto owned = clients_.take(c);
    close_gracefully(owned->conn.release_fd());
    ctx_.online.remove();
}

bool pool::arm(int op, int fd, void* tag, std::uint32_t events) noexcept {
    epoll_event ev{.events = events | EPOLLONESHOT, .data = {.ptr = tag}};
    return ::epoll_ctl(epoll_.get(), op, fd, &ev) == 0;
}

class thread_pool_server final : public server {
public:
    explicit thread_pool_server(const server_options& options) : options_(options) {}
    void serve(const server_context& ctx) override;

private:
    server_options options_;
};

void thread_pool_server::serve(const server_context& ctx) {
    unsigned threads =
        options_.threads != 0 ? options_.threads : std::thread::hardware_concurrency();
    if (threads == 0) threads = 1;
    pool shared(options_, ctx);
    {
        std::vector<std::jthread> workers;  // joined on leaving this block, even by an exception
        workers.reserve(threads);
        try {
            for (unsigned i = 0; i < threads; ++i)
                workers.emplace_back([&shared] { shared.run_worker(); });
            ctx.ready(1);
        } catch (...) {
            ctx.stop.request();  // lets the workers already started end, so they can be joined
            throw;
        }
    }
    shared.rethrow_failure();
}  // ~pool closes the clients still connected, after every worker has joined

}  // namespace

std::unique_ptr<server> make_thread_pool_server(const server_options& options) {
    return std::make_unique<thread_pool_server>(options);
}

}  // namespace robotbench
