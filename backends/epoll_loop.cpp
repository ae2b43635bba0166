#include "epoll_loop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "connection.hpp"

namespace robotbench {

namespace {

// Events taken per epoll_wait.
constexpr int max_events = 256;
// Clients accepted per listener event, so that a flood of connects does not starve the clients.
constexpr int accept_batch = 64;
// Reads one client gets per turn. A client that still has input after them goes to the back of
// the line (the backlog), so one busy client cannot starve the others.
constexpr int reads_per_turn = 16;

// Every client is registered once, edge-triggered, for everything it will ever need.
constexpr std::uint32_t client_events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void watch(int epoll_fd, int fd, std::uint32_t events, const char* what) {
    epoll_event ev{.events = events, .data = {.fd = fd}};
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) fail(what);
}

}  // namespace

epoll_loop::epoll_loop(const server_options& options, const server_context& ctx)
    : options_(options),
      ctx_(ctx),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      idle_(options.idle_timeout) {
    if (!epoll_) fail("epoll_create1");
    if (!wake_) fail("eventfd");
    // Level-triggered: the stop event stays readable, so every loop sees it.
    watch(epoll_.get(), ctx.stop.fd(), EPOLLIN, "epoll_ctl add stop event");
    watch(epoll_.get(), wake_.get(), EPOLLIN, "epoll_ctl add hand-over eventfd");
}

epoll_loop::~epoll_loop() {
    for (auto& c : clients_) {
        if (!c) continue;
        close_gracefully(std::move(c->fd));
        ctx_.online.remove();
    }
    for (auto* list : {&handed_, &taking_}) {
        for (auto& fd : *list) {
            close_gracefully(std::move(fd));
            ctx_.online.remove();
        }
    }
}

void epoll_loop::accept_into(std::vector<epoll_loop*> targets) {
    acceptor_ = std::make_unique<acceptor>(ctx_.listener);
    targets_ = std::move(targets);
    // Level-triggered: a batch that leaves connections in the listen queue is reported again.
    watch(epoll_.get(), ctx_.listener, EPOLLIN, "epoll_ctl add listener");
    listener_watched_ = true;
}

int epoll_loop::wait_timeout(int idle) {
    if (!acceptor_ || listener_watched_) return idle;
    const int pause_ms = acceptor_->pause_left_ms();
    if (pause_ms >= 0) return idle < 0 ? pause_ms : std::min(idle, pause_ms);
    // The pause is over: clients waiting meanwhile make the listener readable at once.
    watch(epoll_.get(), ctx_.listener, EPOLLIN, "epoll_ctl add listener");
    listener_watched_ = true;
    return idle;
}

void epoll_loop::run() {
    // The spill buffer: every read of this loop lands here and is answered at once, so no client
    // keeps a read buffer of its own.
    alignas(64) char spill_bytes[read_chunk];
    const std::span<char> spill(spill_bytes, sizeof spill_bytes);
    epoll_event events[max_events];
    for (;;) {
        // With clients in the backlog, only a look; else until the longest-idle client expires
        // (for ever while the idle timeout is off or no client is held), or an accept pause ends.
        const int n = ::epoll_wait(epoll_.get(), events, max_events,
                                   wait_timeout(backlog_.empty() ? idle_.wait_ms(now_) : 0));
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("epoll_wait");
        }
        if (idle_.enabled()) now_ = idle_clock::now();
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            // Clients still held are closed and counted off by the destructor.
            if (fd == ctx_.stop.fd()) return;
            if (fd == wake_.get())
                take_handed_over();
            else if (acceptor_ && listener_watched_ && fd == ctx_.listener)
                accept_clients();
            else
                on_client_event(fd, events[i].events, spill);
        }
        turns_.clear();
        turns_.swap(backlog_);
        for (const int fd : turns_) {
            if (static_cast<std::size_t>(fd) >= clients_.size() || !clients_[fd]) continue;
            clients_[fd]->queued = false;
            serve_client(fd, spill);
        }
        close_idle_clients();
    }
}

void epoll_loop::hand_over(unique_fd client) noexcept {
    bool was_empty = false;
    try {
        const std::lock_guard lock(handed_mutex_);
        was_empty = handed_.empty();
        handed_.push_back(std::move(client));
    } catch (...) {
        // Out of memory: the client cannot be queued, so it is closed here.
        close_gracefully(std::move(client));
        ctx_.online.remove();
        return;
    }
    // One wake-up per batch: the loop takes everything queued when it wakes.
    if (!was_empty) return;
    const std::uint64_t one = 1;
    while (::write(wake_.get(), &one, sizeof one) < 0 && errno == EINTR) {
    }
}

// Runs on the acceptor loop only. Only this loop adds clients, so the count can only fall between
// the capacity check and the add.
void epoll_loop::accept_clients() {
    for (int i = 0; i < accept_batch; ++i) {
        auto client = acceptor_->accept();
        if (!client) break;
        if (at_capacity(options_, ctx_.online)) {
            refuse_full(std::move(*client));
            continue;
        }
        ctx_.online.add();
        epoll_loop* to = targets_[next_target_];
        next_target_ = (next_target_ + 1) % targets_.size();
        if (to == this)
            add_client(std::move(*client));
        else
            to->hand_over(std::move(*client));
    }
    if (acceptor_->paused()) {
        // A level-triggered listener that cannot be emptied would wake the loop at once, again
        // and again: it leaves the set until the pause is over (wait_timeout).
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, ctx_.listener, nullptr) != 0)
            fail("epoll_ctl remove listener");
        listener_watched_ = false;
    }
}

// Loop thread. The eventfd is reset before the queue is emptied, so a client queued in between
// writes it again and is not left behind.
void epoll_loop::take_handed_over() {
    std::uint64_t count = 0;
    while (::read(wake_.get(), &count, sizeof count) < 0 && errno == EINTR) {
    }
    {
        const std::lock_guard lock(handed_mutex_);
        taking_.swap(handed_);
    }
    for (auto& fd : taking_) add_client(std::move(fd));
    taking_.clear();
}

// Loop thread. The client is counted online already; if it cannot be registered it is closed
// and counted off again.
void epoll_loop::add_client(unique_fd socket) noexcept {
    const int fd = socket.get();
    try {
        if (static_cast<std::size_t>(fd) >= clients_.size()) clients_.resize(fd + 1);
        if (backlog_.capacity() < clients_.capacity()) {
            backlog_.reserve(clients_.capacity());
            turns_.reserve(clients_.capacity());
        }
        auto c = std::make_unique<epoll_client>(std::move(socket), options_.limits);
        epoll_event ev{.events = client_events, .data = {.fd = fd}};
        if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
            close_gracefully(std::move(c->fd));
            ctx_.online.remove();
            return;
        }
        idle_.touch(*c, now_);
        clients_[fd] = std::move(c);
    } catch (...) {
        // Out of memory: whichever of `socket` and the new client holds the descriptor closes it.
        ctx_.online.remove();
    }
}

// Loop thread. Hang-up and error count as both readable and writable: the next read or write
// sees the end of the stream or the error.
void epoll_loop::on_client_event(int fd, std::uint32_t events, std::span<char> spill) noexcept {
    if (static_cast<std::size_t>(fd) >= clients_.size() || !clients_[fd]) return;
    epoll_client& c = *clients_[fd];
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) c.can_read = true;
    if ((events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) c.peer_done = true;
    if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) c.can_write = true;
    serve_client(fd, spill);
}

// Loop thread. A client whose replies cannot get memory is closed; the others are served on.
void epoll_loop::serve_client(int fd, std::span<char> spill) noexcept {
    bool keep = false;
    try {
        keep = serve(*clients_[fd], spill);
    } catch (...) {
        // The session could not grow its output (out of memory): keep stays false.
    }
    if (!keep) close_client(fd);
}

// Loop thread. Alternates one write of everything pending (all the replies to the last read) with
// one read of up to a spill buffer, until the socket has no more input (EAGAIN or EOF), the
// session pauses input (its output is full and the socket takes no more) or the turn is used up.
// A paused client keeps can_read, so reading resumes when the write edge comes, although no new
// read edge will. Returns false when the client must be closed now.
bool epoll_loop::serve(epoll_client& c, std::span<char> spill) {
    auto& session = c.session;
    const int fd = c.fd.get();
    for (int reads = 0;; ++reads) {
        while (c.can_write && !session.output().empty()) {
            const auto out = session.output();
            const auto n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
            if (n > 0) {
                session.consume(static_cast<std::size_t>(n));
                idle_.touch(c, now_);
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                c.can_write = false;
            } else if (n == 0 || errno != EINTR) {
                return false;  // reset or broken pipe: nothing can be delivered any more
            }
        }
        if (session.finished()) return false;
        if (!c.can_read || !session.wants_input()) return true;
        if (reads >= reads_per_turn) {
            if (c.queued) return true;
            // Room is reserved for every client (add_client); should it ever lack, the client
            // just keeps its turn.
            if (backlog_.size() < backlog_.capacity()) {
                c.queued = true;
                backlog_.push_back(fd);
                return true;
            }
        }
        const auto n = ::recv(fd, spill.data(), spill.size(), 0);
        if (n > 0) {
            if (session.on_input(spill.first(static_cast<std::size_t>(n)), ctx_.online.count()) > 0)
                idle_.touch(c, now_);
            // A read that did not fill the spill buffer took everything the socket held, and
            // anything that arrives later raises a new edge: no second recv only to see EAGAIN.
            // A peer that already shut down raises no more edges, so then the end of the stream
            // must still be read.
            if (static_cast<std::size_t>(n) < spill.size() && !c.peer_done) c.can_read = false;
        } else if (n == 0) {
            session.on_eof();
            c.can_read = false;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c.can_read = false;
        } else if (errno != EINTR) {
            return false;
        }
    }
}

void epoll_loop::close_client(int fd) noexcept {
    auto c = std::move(clients_[fd]);
    close_gracefully(std::move(c->fd));
    ctx_.online.remove();
}  // the client leaves the idle list as it is freed

// Loop thread. Closes every client that made no progress for --idle-timeout, longest idle first;
// one still in the backlog is skipped there, as a closed client is.
void epoll_loop::close_idle_clients() noexcept {
    while (epoll_client* c = idle_.expired(now_)) {
        auto owned = std::move(clients_[c->fd.get()]);
        close_idle(std::move(owned->fd), !owned->session.output().empty());
        ctx_.online.remove();
    }
}

}  // namespace robotbench
