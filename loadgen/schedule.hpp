#pragma once
// The open-loop send schedule: fixed send times, decided before the run, that do not depend on
// how fast the server answers.

#include <cmath>
#include <cstdint>
#include <vector>

namespace robotbench::loadgen {

// `rate` requests per second in total over `lanes` lanes (connections, or churn threads), from
// `start_ns` on. Request k of lane c is due at start + (k * lanes + c) / rate seconds: every lane
// gets rate / lanes, and the lanes are staggered so the whole stream is evenly spaced at 1 / rate.
// Immutable; any thread may read it.
class open_schedule {
  public:
    open_schedule(double rate, unsigned lanes, std::int64_t start_ns);

    // When request k of lane c is due (steady-clock ns): slot k * lanes + c of the whole stream.
    std::int64_t due(unsigned lane, std::uint64_t k) const noexcept {
        return slot_due(k * lanes_ + lane);
    }
    // When slot s of the whole stream is due (steady-clock ns).
    std::int64_t slot_due(std::uint64_t slot) const noexcept {
        return start_ns_ + std::llround(double(slot) * period_ns_);
    }
    // The first slot due at or after `t`, so that slots [first, first + n) are exactly the n
    // sends due in [t, slot_due(first + n)).
    std::uint64_t first_slot_from(std::int64_t t) const noexcept;

    double lane_rate() const noexcept { return rate_ / lanes_; }  // requests per second
    std::int64_t start_ns() const noexcept { return start_ns_; }

  private:
    double rate_;
    unsigned lanes_;
    double period_ns_;  // between two consecutive sends of the whole stream
    std::int64_t start_ns_;
};

// Walks, in time order, the sends of the lanes one thread owns. Owned by that thread.
class schedule_cursor {
  public:
    // `lanes` are the schedule lanes of this thread, ascending; index i below refers to lanes[i].
    schedule_cursor(const open_schedule& schedule, std::vector<unsigned> lanes);

    std::int64_t next_due() const noexcept { return next_due_; }
    std::size_t next_index() const noexcept { return index_; }  // which of this thread's lanes
    std::uint64_t next_k() const noexcept { return k_; }        // that lane's request number
    void advance() noexcept;

  private:
    const open_schedule* schedule_;
    std::vector<unsigned> lanes_;
    std::size_t index_ = 0;
    std::uint64_t k_ = 0;
    std::int64_t next_due_ = 0;
};

// The worst delay of a send behind its due time. Owned by one thread.
class lag_tracker {
  public:
    void on_send(std::int64_t due_ns, std::int64_t sent_ns) noexcept {
        if (sent_ns - due_ns > max_ns_) max_ns_ = sent_ns - due_ns;
    }
    std::int64_t max_ns() const noexcept { return max_ns_; }

  private:
    std::int64_t max_ns_ = 0;
};

}  // namespace robotbench::loadgen
