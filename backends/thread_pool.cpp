// The thread backend (alias thread-pool): a fixed pool of worker threads sharing one epoll set.
// Every client is registered one-shot, so a readiness event hands the client to exactly one
// worker, which serves it without blocking and then re-arms it or closes it; the re-arm hands it
// to whichever worker gets its next event (tsan_handoff.hpp states that to ThreadSanitizer). No
// worker is ever held by one client, so a few threads serve far more clients than there are
// threads. The listener is one-shot too (one worker accepts at a time); the stop event is
// level-triggered so that every worker sees it. While accepting is paused (out of descriptors or
// memory) the listener stays disarmed and a one-shot timer re-arms it when the pause ends.
//
// --idle-timeout: no worker may touch a client it does not hold, and an idle client is held by
// none (its one-shot event is armed and waiting). So the worker that holds a client stamps its
// progress in an atomic, and a sweep (a timerfd, one-shot in the same set, so one worker sweeps
// at a time, every quarter of the timeout) marks each client idle for the timeout and makes the
// kernel deliver its event: shutdown(SHUT_RD) makes a socket armed for input readable, and at
// the next sweep a client still there (armed for output only, paused by backpressure) gets
// shutdown(SHUT_RDWR), whose hang-up is reported whatever a socket is armed for. The worker that
// receives the event sees the mark and closes the client. The one-shot rule stays whole: the
// sweep never arms anything, so a client still has at most one event, and at most one holder.

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
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
#include "idle_deadline.hpp"
#include "net.hpp"
#include "tsan_handoff.hpp"

namespace robotbench {

namespace {

// Events one worker takes per epoll_wait: the clients in one batch wait for each other, so few.
constexpr int max_events = 8;
// Clients accepted per listener event before the listener is re-armed for the next worker.
constexpr int accept_batch = 64;

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// Now on the idle clock, in its ticks, for stamps that live in an atomic.
std::int64_t idle_ticks() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               idle_clock::now().time_since_epoch())
        .count();
}

// A client as the pool holds it; its address is the client's epoll data.
struct pooled_client {
    pooled_client(unique_fd fd, const protocol::session_limits& limits)
        : conn(std::move(fd), limits) {}

    connection conn;  // touched only by the worker holding the client's event
    // --idle-timeout only. When the client last made progress (idle_ticks), stamped by the
    // worker holding it and read by the sweep; and the sweep's mark that it was idle too long.
    std::atomic<std::int64_t> last_progress{0};
    std::atomic<bool> idle{false};
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

    // The idle sweep (see the top of this file): marks every client that made no progress for
    // `timeout` at `now` and wakes it with shutdown(SHUT_RD); one marked at an earlier sweep and
    // still here gets shutdown(SHUT_RDWR). Under the lock, so that no socket is closed, and its
    // number reused, meanwhile. The worker holding the sweep's event.
    void sweep_idle(std::int64_t now, std::int64_t timeout) noexcept {
        const std::lock_guard lock(mutex_);
        for (auto& [c, owned] : clients_) {
            if (c->idle.load(std::memory_order_relaxed)) {
                ::shutdown(c->conn.fd(), SHUT_RDWR);
            } else if (now - c->last_progress.load(std::memory_order_relaxed) >= timeout) {
                c->idle.store(true, std::memory_order_release);
                ::shutdown(c->conn.fd(), SHUT_RD);
            }
        }
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
    void close_idle_client(pooled_client* c) noexcept;
    void start_idle_sweeps();
    void sweep_idle();
    bool arm(int op, int fd, void* tag, std::uint32_t events) noexcept;
    bool pass_on(int fd, void* tag, const void* object, std::uint32_t events) noexcept;

    const server_options& options_;
    const server_context& ctx_;
    unique_fd epoll_;    // the one epoll set every worker waits on
    acceptor acceptor_;  // used only by the worker holding the listener's one-shot event
    unique_fd pause_timer_;  // timerfd, armed one-shot: ends a pause of accepting
    client_registry clients_;
    char stop_tag_ = 0;    // its address marks the stop event in the epoll set
    char listen_tag_ = 0;  // its address marks the listener in the epoll set
    char pause_tag_ = 0;   // its address marks the pause timer in the epoll set
    // --idle-timeout: whether it is set; a timerfd ticking every idle check period, and the
    // address that marks it in the epoll set (idle_on_ only).
    const bool idle_on_;
    unique_fd sweep_timer_;
    char sweep_tag_ = 0;
    std::mutex failure_mutex_;
    std::exception_ptr failure_;  // the first exception a worker threw, guarded by failure_mutex_
};

pool::pool(const server_options& options, const server_context& ctx)
    : options_(options),
      ctx_(ctx),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      acceptor_(ctx.listener),
      pause_timer_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)),
      idle_on_(options.idle_timeout.count() > 0) {
    if (!epoll_) fail("epoll_create1");
    if (!pause_timer_) fail("timerfd_create");
    if (!arm(EPOLL_CTL_ADD, pause_timer_.get(), &pause_tag_, EPOLLIN)) fail("epoll_ctl add timer");
    epoll_event stop{.events = EPOLLIN, .data = {.ptr = &stop_tag_}};
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, ctx.stop.fd(), &stop) != 0)
        fail("epoll_ctl add stop event");
    if (!arm(EPOLL_CTL_ADD, ctx.listener, &listen_tag_, EPOLLIN)) fail("epoll_ctl add listener");
    if (idle_on_) start_idle_sweeps();
}

// Main thread, before the workers start.
void pool::start_idle_sweeps() {
    sweep_timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!sweep_timer_) fail("timerfd_create");
    const auto period = idle_check_period(options_.idle_timeout);
    const timespec every{.tv_sec = static_cast<time_t>(period.count() / 1'000'000'000),
                         .tv_nsec = static_cast<long>(period.count() % 1'000'000'000)};
    const itimerspec ticks{.it_interval = every, .it_value = every};
    if (::timerfd_settime(sweep_timer_.get(), 0, &ticks, nullptr) != 0) fail("timerfd_settime");
    if (!arm(EPOLL_CTL_ADD, sweep_timer_.get(), &sweep_tag_, EPOLLIN))
        fail("epoll_ctl add idle sweep timer");
}

// Runs on the one worker holding the sweep timer's event; it re-arms the timer when done.
void pool::sweep_idle() {
    std::uint64_t expirations = 0;
    [[maybe_unused]] auto n = ::read(sweep_timer_.get(), &expirations, sizeof expirations);
    clients_.sweep_idle(idle_ticks(), options_.idle_timeout.count());
    if (!arm(EPOLL_CTL_MOD, sweep_timer_.get(), &sweep_tag_, EPOLLIN))
        fail("epoll_ctl re-arm idle sweep timer");
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
            else if (tag == &sweep_tag_)
                sweep_idle();
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
    tsan::acquire(&acceptor_);
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
        if (idle_on_) c->last_progress.store(idle_ticks(), std::memory_order_relaxed);
        // Once armed, another worker may own the client at once: it is not touched here again.
        // (ThreadSanitizer sees this hand-over itself: it models EPOLL_CTL_ADD as a release.)
        if (!arm(EPOLL_CTL_ADD, fd, c, EPOLLIN)) close_client(c);
    }
    if (const int pause_ms = acceptor_.pause_left_ms(); pause_ms >= 0) {
        // The listener stays disarmed; whichever worker gets the timer's event re-arms it.
        const itimerspec at{.it_interval = {},
                            .it_value = {.tv_sec = pause_ms / 1000,
                                         .tv_nsec = (pause_ms % 1000) * 1'000'000L}};
        if (::timerfd_settime(pause_timer_.get(), 0, &at, nullptr) != 0) fail("timerfd_settime");
        tsan::release(&acceptor_);  // the worker that re-arms the listener does not touch it
        if (!pass_on(pause_timer_.get(), &pause_tag_, &pause_timer_, EPOLLIN))
            fail("epoll_ctl arm timer");
        return;
    }
    if (!pass_on(ctx_.listener, &listen_tag_, &acceptor_, EPOLLIN))
        fail("epoll_ctl re-arm listener");
}

// Runs on the one worker that received the pause timer's one-shot event: the pause is over, the
// listener is armed again and its next event goes to any worker.
void pool::resume_accepting() {
    tsan::acquire(&pause_timer_);
    std::uint64_t expirations = 0;
    [[maybe_unused]] auto n = ::read(pause_timer_.get(), &expirations, sizeof expirations);
    if (!pass_on(ctx_.listener, &listen_tag_, &acceptor_, EPOLLIN))
        fail("epoll_ctl re-arm listener");
}

// Runs on the worker that received the client's one-shot event; that worker alone owns the
// client until it re-arms it or closes it. Hang-up and error count as readable, so the read or
// the write sees the end of the stream or the error. A client the idle sweep marked is closed as
// idle: before it is served (the sweep's wake-up) or after (the sweep came while it was held).
void pool::serve_client(pooled_client* c, std::uint32_t events, std::span<char> scratch) {
    tsan::acquire(c);
    if (idle_on_ && c->idle.load(std::memory_order_acquire)) return close_idle_client(c);
    const bool readable = (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0;
    const interest want = c->conn.on_ready(readable, scratch, ctx_.online);
    if (want.close) {
        close_client(c);
        return;
    }
    if (idle_on_) {
        if (want.progress) c->last_progress.store(idle_ticks(), std::memory_order_relaxed);
        if (c->idle.load(std::memory_order_acquire)) return close_idle_client(c);
    }
    const std::uint32_t wait_for = (want.read ? EPOLLIN : 0u) | (want.write ? EPOLLOUT : 0u);
    // After a successful re-arm the client belongs to whichever worker gets its next event.
    const int fd = c->conn.fd();
    if (!pass_on(fd, c, c, wait_for)) close_client(c);
}

// The caller owns `c` (it holds its event, or the client was never armed). Closing the socket
// also drops its epoll registration, which is disarmed, so no other worker can receive it.
void pool::close_client(pooled_client* c) noexcept {
    auto owned = clients_.take(c);
    close_gracefully(owned->conn.release_fd());
    ctx_.online.remove();
}

// The caller owns `c`, as for close_client.
void pool::close_idle_client(pooled_client* c) noexcept {
    auto owned = clients_.take(c);
    const bool pending = owned->conn.replies_pending();
    close_idle(owned->conn.release_fd(), pending);
    ctx_.online.remove();
}

bool pool::arm(int op, int fd, void* tag, std::uint32_t events) noexcept {
    epoll_event ev{.events = events | EPOLLONESHOT, .data = {.ptr = tag}};
    return ::epoll_ctl(epoll_.get(), op, fd, &ev) == 0;
}

// Re-arms the one-shot event of `fd`, which passes `object` to whichever worker receives the
// event next; the caller owns `object` until then and must not touch it after a success.
bool pool::pass_on(int fd, void* tag, const void* object, std::uint32_t events) noexcept {
    tsan::release(object);
    const tsan::handover_call handover;
    return arm(EPOLL_CTL_MOD, fd, tag, events);
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
