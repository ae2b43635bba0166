#pragma once
// The online count: one counter shared by every thread and every forked process of a server.

#include <atomic>
#include <cstdint>

namespace robotbench {

// A counter in an anonymous shared mapping, so children forked after its creation update and read
// the very same counter. Any thread or process may call any member.
class presence {
public:
    presence();
    ~presence();
    presence(const presence&) = delete;
    presence& operator=(const presence&) = delete;

    // A client was accepted.
    void add() noexcept { counter_->fetch_add(1, std::memory_order_relaxed); }
    // A client's connection was closed by the server, however it ended.
    void remove() noexcept { counter_->fetch_sub(1, std::memory_order_relaxed); }
    // Clients connected right now.
    std::int64_t count() const noexcept { return counter_->load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t>* counter_;
};

static_assert(std::atomic<std::int64_t>::is_always_lock_free,
              "the presence counter must be lock-free to work across processes");

}  // namespace robotbench
