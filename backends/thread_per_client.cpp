// The thread-per-client backend: the classic "one thread per client" server (UNP ch. 30). The
// serve() thread is the acceptor: it polls the listener, the stop event and a "thread finished"
// eventfd, accepts clients as blocking sockets and starts one thread per client, with a small
// stack so that ten thousand idle clients fit. A client thread reads into a small buffer on its
// own stack, feeds the session and sends every reply with a blocking send: a client that never
// reads blocks only its own thread, and the session stops reading once its output passes
// max_output, so its memory stays bounded.
//
// A thread that ends queues itself and pokes the eventfd; the acceptor joins it at once, so dead
// threads never pile up during a long run with churn. At stop the acceptor shuts down every live
// client socket, which wakes the thread blocked on it, and joins every thread; each thread closes
// its own client and counts it off, so that happens exactly once. A thread that cannot be created
// (the thread limit, memory), or a session that cannot grow, costs that one client
// `!ERR server full`; the others are served on.
//
// --idle-timeout: the socket's receive and send timeouts (set once per client) wake a blocked
// thread every quarter of the timeout, so the thread itself closes its client once it made no
// progress for the timeout (blocking_idle_deadline).

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <span>
#include <system_error>
#include <unordered_set>
#include <utility>

#include "backend.hpp"
#include "idle_deadline.hpp"
#include "net.hpp"

namespace robotbench {

namespace {

// Stack of each client thread: the read buffer, the session's frames and libc. 10,000 idle
// clients reserve 1.25 GiB of address space, of which they touch a few pages each.
constexpr std::size_t client_stack_size = 128 * 1024;
// The read buffer on each client thread's stack; pipelined requests beyond it wait in the
// socket for the next read.
constexpr std::size_t client_read_chunk = 16 * 1024;
// Clients accepted per wakeup before the acceptor looks at stop and finished threads again.
constexpr int accept_batch = 64;

[[noreturn]] void fail(int error, const char* what) {
    throw std::system_error(error, std::generic_category(), what);
}

// How a conversation ended.
enum class ending {
    done,  // the session finished, or the socket failed (reset, or shut down at stop)
    idle,  // the client made no progress for --idle-timeout
};

bool would_block() noexcept {
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

// Serves one client on its blocking socket until the session has finished, the socket failed or
// the client was idle for the timeout. With the idle timeout on, a recv fails with EAGAIN when the
// socket's timeout passed, and a send when the buffer stayed full for a check period; that is
// when the deadline is looked at. Runs on the client's thread.
ending converse(int fd, protocol::session& session, std::span<char> buffer, const presence& online,
                blocking_idle_deadline& idle) {
    for (;;) {
        bool progress = false;
        if (session.wants_input()) {
            const auto n = ::recv(fd, buffer.data(), buffer.size(), 0);
            if (n > 0)
                progress =
                    session.on_input(buffer.first(static_cast<std::size_t>(n)), online.count()) > 0;
            else if (n == 0)
                session.on_eof();
            else if (errno == EINTR)
                continue;
            else if (!would_block())
                return ending::done;
        }
        // Every reply to what one read brought, pipelined or not, leaves in one send.
        for (auto out = session.output(); !out.empty(); out = session.output()) {
            const auto n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL | idle.send_flags());
            if (n > 0) {
                session.consume(static_cast<std::size_t>(n));
                progress = true;
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && would_block()) {
                // The buffer is full: wait for real room (not a trickle), or for more input
                // while the session takes it.
                const bool more_input = session.wants_input();
                idle.wait_ready(fd, static_cast<short>(POLLOUT | (more_input ? POLLIN : 0)));
                break;
            } else {
                return ending::done;
            }
        }
        if (session.finished()) return ending::done;
        if (idle.expired(progress)) return ending::idle;
    }
}

// The creation attributes of every client thread: the small stack. Owned by the acceptor.
class thread_attributes {
public:
    thread_attributes() {
        if (const int e = ::pthread_attr_init(&attr_); e != 0) fail(e, "pthread_attr_init");
        if (const int e = ::pthread_attr_setstacksize(&attr_, client_stack_size); e != 0) {
            ::pthread_attr_destroy(&attr_);
            fail(e, "pthread_attr_setstacksize");
        }
    }
    ~thread_attributes() { ::pthread_attr_destroy(&attr_); }
    thread_attributes(const thread_attributes&) = delete;
    thread_attributes& operator=(const thread_attributes&) = delete;

    const pthread_attr_t* get() const noexcept { return &attr_; }

private:
    pthread_attr_t attr_;
};

class client_threads;

// One client and the thread serving it. Created by the acceptor, used by the client's thread
// while it runs, deleted by the acceptor once it has joined the thread.
struct client_thread {
    client_threads* owner;
    unique_fd socket;                // the thread's client; the thread closes it
    pthread_t id{};                  // written and read by the acceptor only
    client_thread* next_finished{};  // link in the finished queue
};

// Every client thread of one serve() call. The acceptor (the serve() thread) starts and joins
// them; the client threads touch only their own record and the shared queues, under mutex_.
// Destruction wakes every client thread and joins it.
class client_threads {
public:
    client_threads(const server_options& options, presence& online);
    ~client_threads();
    client_threads(const client_threads&) = delete;
    client_threads& operator=(const client_threads&) = delete;

    // Acceptor: serves `client` on a new thread; refuses it if no thread can be had.
    void start(unique_fd client);

    // Acceptor: joins every thread that has finished. Never blocks for long: a queued thread
    // has nothing left to do but return.
    void join_finished();

    // Readable once a client thread has finished; the acceptor polls it.
    int finished_fd() const noexcept { return finished_event_.get(); }

private:
    static void* thread_main(void* record) noexcept;
    void serve(client_thread& record) noexcept;
    void shut_down_all() noexcept;

    const server_options& options_;
    presence& online_;
    thread_attributes attributes_;
    unique_fd finished_event_;  // an eventfd: counts the threads queued since the last join
    std::mutex mutex_;          // guards live_ and finished_
    std::unordered_set<client_thread*> live_;  // threads whose socket is still open
    client_thread* finished_ = nullptr;        // threads about to return, not joined yet
    std::size_t unjoined_ = 0;                 // acceptor only: started and not joined yet
};

client_threads::client_threads(const server_options& options, presence& online)
    : options_(options),
      online_(online),
      finished_event_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!finished_event_) fail(errno, "eventfd");
}

client_threads::~client_threads() {
    shut_down_all();
    while (unjoined_ != 0) {
        pollfd wait{finished_fd(), POLLIN, 0};
        ::poll(&wait, 1, -1);  // EINTR or a failure: join_finished() finds out what is left
        join_finished();
    }
}

void client_threads::start(unique_fd client) {
    std::unique_ptr<client_thread> record;
    try {
        record.reset(new client_thread{this, std::move(client)});
        const std::lock_guard lock(mutex_);
        live_.insert(record.get());
    } catch (const std::bad_alloc&) {
        refuse_full(record ? std::move(record->socket) : std::move(client));
        return;
    }
    online_.add();
    const int error = ::pthread_create(&record->id, attributes_.get(), thread_main, record.get());
    if (error == 0) {
        ++unjoined_;
        record.release();  // the thread owns it now and hands it back through finished_
        return;
    }
    // EAGAIN: the thread limit or memory. This client is refused, the others are served on.
    {
        const std::lock_guard lock(mutex_);
        live_.erase(record.get());
    }
    online_.remove();
    refuse_full(std::move(record->socket));
}

void* client_threads::thread_main(void* record) noexcept {
    auto& self = *static_cast<client_thread*>(record);
    self.owner->serve(self);
    return nullptr;
}

// The whole life of a client thread.
void client_threads::serve(client_thread& record) noexcept {
    bool out_of_memory = false, idle = false, replies_pending = false;
    try {
        protocol::session session(options_.limits);
        std::array<char, client_read_chunk> buffer;  // uninitialised: only what is read is touched
        blocking_idle_deadline deadline(record.socket.get(), options_.idle_timeout);
        idle = converse(record.socket.get(), session, buffer, online_, deadline) == ending::idle;
        replies_pending = !session.output().empty();
    } catch (...) {
        out_of_memory = true;  // the session could not grow: the server is full for this client
    }
    {
        // From here on the acceptor no longer shuts this socket down, so its number may be reused.
        const std::lock_guard lock(mutex_);
        live_.erase(&record);
    }
    if (out_of_memory)
        refuse_full(std::move(record.socket));
    else if (idle)
        close_idle(std::move(record.socket), replies_pending);
    else
        close_lingering(std::move(record.socket));  // this thread is the client's alone
    online_.remove();
    {
        const std::lock_guard lock(mutex_);
        record.next_finished = finished_;
        finished_ = &record;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(finished_event_.get(), &one, sizeof one);
}

void client_threads::join_finished() {
    std::uint64_t count;
    [[maybe_unused]] auto n = ::read(finished_event_.get(), &count, sizeof count);
    client_thread* done;
    {
        const std::lock_guard lock(mutex_);
        done = std::exchange(finished_, nullptr);
    }
    while (done != nullptr) {
        const std::unique_ptr<client_thread> record(done);
        done = done->next_finished;
        ::pthread_join(record->id, nullptr);
        --unjoined_;
    }
}

// Wakes every client thread: a blocked recv returns end of stream, a blocked send fails.
void client_threads::shut_down_all() noexcept {
    const std::lock_guard lock(mutex_);
    for (client_thread* record : live_) ::shutdown(record->socket.get(), SHUT_RDWR);
}

class thread_per_client_server final : public server {
public:
    explicit thread_per_client_server(const server_options& options) : options_(options) {}
    void serve(const server_context& ctx) override;

private:
    void accept_clients(const server_context& ctx, acceptor& from, client_threads& threads);

    server_options options_;
};

void thread_per_client_server::serve(const server_context& ctx) {
    client_threads threads(options_, ctx.online);
    acceptor accept_from(ctx.listener, /*nonblocking_clients=*/false);
    std::array<pollfd, 3> waits{{{ctx.stop.fd(), POLLIN, 0},
                                 {threads.finished_fd(), POLLIN, 0},
                                 {ctx.listener, POLLIN, 0}}};
    ctx.ready(1);
    for (;;) {
        // While accepting is paused the listener is not watched (poll skips a negative
        // descriptor), and poll wakes when the pause ends.
        const int pause_ms = accept_from.pause_left_ms();
        waits[2].fd = pause_ms < 0 ? ctx.listener : -1;
        if (::poll(waits.data(), waits.size(), pause_ms) < 0) {
            if (errno == EINTR) continue;
            fail(errno, "poll");
        }
        if (waits[0].revents != 0) break;
        if (waits[1].revents != 0) threads.join_finished();
        if (pause_ms < 0 ? waits[2].revents != 0 : !accept_from.paused())
            accept_clients(ctx, accept_from, threads);
    }
}  // ~client_threads wakes, closes and joins every client thread

// Runs on the acceptor, the only thread that counts clients on, so the count can only fall
// between the capacity check and the start.
void thread_per_client_server::accept_clients(const server_context& ctx, acceptor& from,
                                              client_threads& threads) {
    for (int i = 0; i < accept_batch; ++i) {
        auto client = from.accept();
        if (!client) return;
        if (at_capacity(options_, ctx.online)) {
            refuse_full(std::move(*client));
            continue;
        }
        threads.start(std::move(*client));
    }
}

}  // namespace

std::unique_ptr<server> make_thread_per_client_server(const server_options& options) {
    return std::make_unique<thread_per_client_server>(options);
}

}  // namespace robotbench
