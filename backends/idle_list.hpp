#pragma once
// Idle clients (`serve --idle-timeout D`) for the backends whose clients all live on one loop
// thread: select, epoll (and so each reactors loop), libuv and io_uring. With one timeout for
// every client, the order in which clients last made progress is also the order in which they
// expire, so a list kept in that order (a client moves to the back whenever it makes progress)
// tells the loop when to wake next (the front's deadline) and finds every expired client in O(1)
// each, with no timer per client and no system call per request.
//
// Progress is a complete request line received or reply bytes taken by the socket; see
// docs/protocol.md ("Idle clients").

#include <chrono>
#include <climits>
#include <optional>

namespace robotbench {

// The clock of every idle deadline: monotonic, and read without a system call (vDSO).
using idle_clock = std::chrono::steady_clock;

// A client's place in an idle_list: a client type derives from it. Unlinks itself when destroyed,
// so a client freed without remove() does not leave a dangling entry. Loop thread only.
class idle_hook {
public:
    idle_hook() = default;
    ~idle_hook() { unlink(); }
    idle_hook(const idle_hook&) = delete;
    idle_hook& operator=(const idle_hook&) = delete;

private:
    template <class>
    friend class idle_list;

    void unlink() noexcept {
        if (next_ == nullptr) return;
        prev_->next_ = next_;
        next_->prev_ = prev_;
        prev_ = next_ = nullptr;
    }

    idle_hook* prev_ = nullptr;  // both null while not in a list
    idle_hook* next_ = nullptr;
    idle_clock::time_point since_{};  // when the client last made progress
};

// The clients of one loop thread, longest idle first. `Client` derives from idle_hook. A list
// whose timeout is zero is off: touch() does nothing, so nothing is ever listed or expires, and
// the loop pays one predictable branch per call. Loop thread only; not movable (the clients
// point into it).
template <class Client>
class idle_list {
public:
    explicit idle_list(std::chrono::nanoseconds timeout) : timeout_(timeout) {
        end_.prev_ = end_.next_ = &end_;
    }
    ~idle_list() {
        while (end_.next_ != &end_) end_.next_->unlink();
    }
    idle_list(const idle_list&) = delete;
    idle_list& operator=(const idle_list&) = delete;

    bool enabled() const noexcept { return timeout_.count() > 0; }

    // The client made progress (or arrived) at `now`: it moves to the back. `now` must not go
    // backwards from one call to the next.
    void touch(Client& client, idle_clock::time_point now) noexcept {
        if (!enabled()) return;
        idle_hook& h = client;
        h.unlink();
        h.since_ = now;
        h.prev_ = end_.prev_;
        h.next_ = &end_;
        end_.prev_->next_ = &h;
        end_.prev_ = &h;
    }

    // Takes the client out (it is closing); nothing if it is not listed.
    void remove(Client& client) noexcept { static_cast<idle_hook&>(client).unlink(); }

    // The longest-idle client if it has made no progress for the timeout at `now`, else nullptr.
    // The caller closes it and remove()s it before asking again.
    Client* expired(idle_clock::time_point now) const noexcept {
        if (end_.next_ == &end_ || now - end_.next_->since_ < timeout_) return nullptr;
        return static_cast<Client*>(end_.next_);
    }

    // When the longest-idle client expires; nullopt when no client is listed.
    std::optional<idle_clock::time_point> next_deadline() const noexcept {
        if (end_.next_ == &end_) return std::nullopt;
        return end_.next_->since_ + timeout_;
    }

    // Milliseconds from `now` to the next deadline, rounded up so that a wait does not end just
    // before it, for poll and epoll_wait; -1 (wait for ever) when no client is listed.
    int wait_ms(idle_clock::time_point now) const noexcept {
        const auto deadline = next_deadline();
        if (!deadline) return -1;
        if (*deadline <= now) return 0;
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now).count();
        return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
    }

private:
    std::chrono::nanoseconds timeout_;
    idle_hook end_;  // the sentinel: end_.next_ is the longest idle, end_.prev_ the latest
};

}  // namespace robotbench
