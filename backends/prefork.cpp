// The prefork backend: a fixed pool of worker processes created at start (UNP ch. 30 "preforked
// server", Apache's prefork MPM). Each worker takes its turn at the shared listener, accepts one
// client, serves it with blocking I/O (a blocked send is the backpressure) and goes back for the
// next; a client that arrives while every worker is busy waits in the listen queue.
//
// The turn is an accept lock, a robust process-shared mutex in shared memory, as Apache's accept
// mutex: only the worker holding it polls the listener (and the stop event, inherited across
// fork), so a new client wakes one process instead of the whole idle pool, and no client is
// missed while the others serve. A worker that dies holding the lock passes it on (EOWNERDEAD).
//
// The online count is the shared `presence`. The worker that accepts counts its client on (or
// refuses it with `!ERR server full` at --max-conns: only the lock holder counts on, so the check
// cannot race) and marks its slot in shared memory as holding a client; when it closes the client
// it clears the mark and counts off. The parent reaps workers from a SIGCHLD signalfd: one that
// died with its mark set is counted off by the parent, and every dead worker is replaced. A
// worker killed (SIGKILL) between counting on and setting its mark, two adjacent stores, would
// leave the count one too high; the exchange on the mark makes every other case count off
// exactly once. At stop the parent sends SIGTERM to every worker and reaps them all; workers
// also die with the parent (PR_SET_PDEATHSIG).

#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <system_error>
#include <vector>

#include "backend.hpp"
#include "child_set.hpp"
#include "child_setup.hpp"
#include "connection.hpp"
#include "net.hpp"

namespace robotbench {

namespace {

// How long workers get to end after SIGTERM on stop before they are killed.
constexpr std::chrono::milliseconds stop_grace{500};

// How often the parent tries again to replace workers it could not fork (out of processes), and
// how long it waits before replacing a worker that failed on its own (exit status 1), so that
// a worker that cannot start does not make the parent fork in a loop.
constexpr int refork_interval_ms = 100;

// Workers forked between two looks at the stop event, so that a stop while a large pool is
// still starting is not kept waiting.
constexpr unsigned fork_batch = 32;

[[noreturn]] void fail(int error, const char* what) {
    throw std::system_error(error, std::generic_category(), what);
}

// What the parent and its workers share: the accept lock and one "holds a client" mark per
// worker slot, in an anonymous shared mapping made before the first fork. Owned by the parent;
// every worker uses the copy of the mapping it inherited.
class worker_board {
public:
    explicit worker_board(unsigned slots);
    ~worker_board() { ::munmap(base_, size_); }
    worker_board(const worker_board&) = delete;
    worker_board& operator=(const worker_board&) = delete;

    // Workers: waits for the accept lock. Throws std::system_error.
    void lock_accept();
    // Workers: gives the accept lock to the next worker.
    void unlock_accept() noexcept { ::pthread_mutex_unlock(accept_lock_); }

    // 1 while the worker in `slot` holds a counted client, else 0. Set by the worker; cleared
    // (with an exchange, so only one of them counts off) by the worker or by the parent.
    std::atomic<std::uint32_t>& holds_client(unsigned slot) noexcept { return marks_[slot]; }

private:
    void* base_;
    std::size_t size_;
    pthread_mutex_t* accept_lock_;
    std::atomic<std::uint32_t>* marks_;
};

worker_board::worker_board(unsigned slots)
    : size_(sizeof(pthread_mutex_t) + slots * sizeof(std::atomic<std::uint32_t>)) {
    static_assert(alignof(pthread_mutex_t) >= alignof(std::atomic<std::uint32_t>));
    static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
    base_ = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base_ == MAP_FAILED) fail(errno, "mmap worker board");
    accept_lock_ = new (base_) pthread_mutex_t;
    marks_ = reinterpret_cast<std::atomic<std::uint32_t>*>(static_cast<char*>(base_) +
                                                           sizeof(pthread_mutex_t));
    for (unsigned i = 0; i < slots; ++i) new (&marks_[i]) std::atomic<std::uint32_t>(0);
    pthread_mutexattr_t attr;
    ::pthread_mutexattr_init(&attr);
    ::pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    ::pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    const int error = ::pthread_mutex_init(accept_lock_, &attr);
    ::pthread_mutexattr_destroy(&attr);
    if (error != 0) {
        ::munmap(base_, size_);
        fail(error, "pthread_mutex_init accept lock");
    }
}

void worker_board::lock_accept() {
    const int error = ::pthread_mutex_lock(accept_lock_);
    if (error == EOWNERDEAD) {
        // The previous holder died while waiting for a client; the lock guards no data.
        ::pthread_mutex_consistent(accept_lock_);
        return;
    }
    if (error != 0) fail(error, "pthread_mutex_lock accept lock");
}

// Holds the accept lock for one turn at the listener.
class accept_turn {
public:
    explicit accept_turn(worker_board& board) : board_(board) { board_.lock_accept(); }
    ~accept_turn() { board_.unlock_accept(); }
    accept_turn(const accept_turn&) = delete;
    accept_turn& operator=(const accept_turn&) = delete;

private:
    worker_board& board_;
};

// What a worker process works with; everything here was inherited across fork.
struct worker_setup {
    const server_options& options;
    const server_context& ctx;
    worker_board& board;
    unsigned slot;
    pid_t parent;
};

// In a new worker: closes every inherited descriptor but the two it uses (the listener and the
// stop event) and stderr. Async-signal-safe.
void keep_only(int a, int b) noexcept {
    if (a > b) std::swap(a, b);
    const auto close_between = [](int first, int last) {
        if (first <= last)
            ::close_range(static_cast<unsigned>(first), static_cast<unsigned>(last), 0);
    };
    close_between(STDERR_FILENO + 1, a - 1);
    close_between(a + 1, b - 1);
    ::close_range(static_cast<unsigned>(b) + 1, ~0U, 0);
    silence_stdin_stdout();
}

// A worker's turn at the listener: the next client, counted on and marked, or nullopt once the
// server stops.
std::optional<unique_fd> next_client(const worker_setup& w, acceptor& from) {
    const accept_turn turn(w.board);
    std::array<pollfd, 2> waits{{{w.ctx.stop.fd(), POLLIN, 0}, {w.ctx.listener, POLLIN, 0}}};
    for (;;) {
        // While accepting is paused the listener is not watched (poll skips a negative
        // descriptor) and the worker sleeps out the pause, lock held: the other workers would
        // meet the same shortage.
        const int pause_ms = from.pause_left_ms();
        waits[1].fd = pause_ms < 0 ? w.ctx.listener : -1;
        if (::poll(waits.data(), waits.size(), pause_ms) < 0) {
            if (errno == EINTR) continue;
            fail(errno, "poll");
        }
        if (waits[0].revents != 0) return std::nullopt;
        if (pause_ms < 0 ? waits[1].revents == 0 : from.paused()) continue;
        auto client = from.accept();
        if (!client) continue;  // the client gave up before accept, or shed for descriptors
        if (at_capacity(w.options, w.ctx.online)) {
            refuse_full(std::move(*client));
            continue;
        }
        w.ctx.online.add();
        w.board.holds_client(w.slot).store(1);
        return client;
    }
}

// The body of a worker: one client at a time until stop.
void serve_clients(const worker_setup& w) {
    acceptor from(w.ctx.listener, /*nonblocking_clients=*/false);
    std::array<char, read_chunk> scratch;  // left uninitialised: only what is read is touched
    auto& holds = w.board.holds_client(w.slot);
    while (auto client = next_client(w, from)) {
        connection conn(std::move(*client), w.options.limits);
        serve_blocking(conn, scratch, w.ctx.online, w.options.idle_timeout);
        if (holds.exchange(0) != 0) w.ctx.online.remove();
    }
}

// The whole life of a worker process. It ends with _exit, never returning into the parent's
// stack or running its destructors and atexit handlers, and touches no stdio: another thread of
// the parent may have held its locks at fork. A failure ends the worker; the parent counts its
// client off and replaces it.
[[noreturn]] void run_worker(const worker_setup& w) noexcept {
    detach_from_parent(w.parent);
    keep_only(w.ctx.listener, w.ctx.stop.fd());
    int status = 0;
    try {
        serve_clients(w);
    } catch (...) {
        status = 1;
    }
    ::_exit(status);
}

class prefork_server final : public server {
public:
    explicit prefork_server(const server_options& options) : options_(options) {}
    void serve(const server_context& ctx) override;

private:
    server_options options_;
};

// The parent's side: starts the pool, replaces workers as they die, stops them all. Everything
// here runs on the serve() thread.
class worker_pool {
public:
    worker_pool(const server_options& options, const server_context& ctx);

    // Forks workers for up to `at_most` vacant slots; a slot that cannot be filled now stays
    // vacant. Returns how long the caller may wait before calling again: 0 while vacancies
    // remain, up to refork_interval_ms after a failed fork or a failed worker, -1 (forever)
    // once the pool is full.
    int fill_vacancies(unsigned at_most);
    // Reaps the workers that died, counts off the clients they held, and marks their slots
    // vacant (unless stopping).
    void reap() { workers_.reap(); }
    // Running workers.
    std::size_t size() const noexcept { return workers_.size(); }
    // Ends every worker and reaps it.
    void stop();

private:
    void on_exit(pid_t pid, int status);

    const server_options& options_;
    const server_context& ctx_;
    worker_board board_;
    std::vector<pid_t> pid_of_slot_;  // 0 for a vacant slot
    std::vector<unsigned> vacant_;    // slots to fork a worker for
    bool stopping_ = false;
    std::chrono::steady_clock::time_point refork_at_{};  // no fork before; set by a failure
    child_set workers_;  // last: its destruction reports exits to the members above
};

worker_pool::worker_pool(const server_options& options, const server_context& ctx)
    : options_(options),
      ctx_(ctx),
      board_(options.workers),
      pid_of_slot_(options.workers, 0),
      workers_([this](pid_t pid, int status) { on_exit(pid, status); }) {
    vacant_.reserve(options.workers);
    for (unsigned slot = options.workers; slot-- > 0;) vacant_.push_back(slot);
}

int worker_pool::fill_vacancies(unsigned at_most) {
    const pid_t parent = ::getpid();
    const auto wait = refork_at_ - std::chrono::steady_clock::now();
    if (!vacant_.empty() && wait > std::chrono::steady_clock::duration::zero())
        return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
    for (; at_most > 0 && !vacant_.empty(); --at_most) {
        const unsigned slot = vacant_.back();
        const pid_t pid = ::fork();
        if (pid == 0) run_worker({options_, ctx_, board_, slot, parent});
        if (pid < 0) return refork_interval_ms;  // out of processes or memory
        workers_.add(pid);
        pid_of_slot_[slot] = pid;
        vacant_.pop_back();
    }
    return vacant_.empty() ? -1 : 0;
}

void worker_pool::on_exit(pid_t pid, int status) {
    const auto it = std::find(pid_of_slot_.begin(), pid_of_slot_.end(), pid);
    if (it == pid_of_slot_.end()) return;
    *it = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        refork_at_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(refork_interval_ms);
    const auto slot = static_cast<unsigned>(it - pid_of_slot_.begin());
    if (board_.holds_client(slot).exchange(0) != 0) ctx_.online.remove();
    if (!stopping_) vacant_.push_back(slot);  // capacity reserved for every slot: cannot throw
}

void worker_pool::stop() {
    stopping_ = true;
    workers_.stop_all(stop_grace);
}

void prefork_server::serve(const server_context& ctx) {
    if (options_.workers == 0) fail(EINVAL, "prefork needs at least one worker");
    const unique_fd child_exits = open_child_exits();
    worker_pool pool(options_, ctx);
    int timeout = pool.fill_vacancies(fork_batch);
    if (pool.size() == 0) fail(errno, "fork");
    // A worker keeps the listener and the stop event it inherited and opens its acceptor's
    // spare descriptor and its client: two beyond what the parent holds (one to spare, since a
    // worker closes the parent's signalfd).
    ctx.ready(2);
    std::array<pollfd, 2> waits{{{ctx.stop.fd(), POLLIN, 0}, {child_exits.get(), POLLIN, 0}}};
    for (;;) {
        if (::poll(waits.data(), waits.size(), timeout) < 0) {
            if (errno == EINTR) continue;
            fail(errno, "poll");
        }
        if (waits[0].revents != 0) break;
        if (waits[1].revents != 0) {
            drain_child_exits(child_exits.get());
            pool.reap();
        }
        timeout = pool.fill_vacancies(fork_batch);
    }
    pool.stop();
}

}  // namespace

std::unique_ptr<server> make_prefork_server(const server_options& options) {
    return std::make_unique<prefork_server>(options);
}

}  // namespace robotbench
