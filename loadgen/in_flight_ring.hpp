#pragma once
// The requests a connection has sent and not yet seen answered, oldest first.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace robotbench::loadgen {

// One request waiting for its reply. Times are steady-clock ns.
struct in_flight {
    std::uint64_t seq = 0;
    std::int64_t intended_ns = 0;  // when the schedule wanted it sent (closed loop: = sent_ns)
    std::int64_t sent_ns = 0;      // when it was handed to the socket
    bool overtaken = false;        // the reply to a later request came first
};

// A FIFO ring that doubles when full, so in steady state pushing never allocates. Owned by one
// connection, used by its thread only.
class in_flight_ring {
  public:
    explicit in_flight_ring(std::size_t capacity = 16) : slots_(round_up(capacity)) {}

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    // The i-th oldest entry; i < size().
    in_flight& operator[](std::size_t i) noexcept { return slots_[(head_ + i) & mask()]; }
    const in_flight& operator[](std::size_t i) const noexcept {
        return slots_[(head_ + i) & mask()];
    }

    void push_back(const in_flight& entry) {
        if (size_ == slots_.size()) grow();
        slots_[(head_ + size_) & mask()] = entry;
        ++size_;
    }

    void pop_front() noexcept {
        head_ = (head_ + 1) & mask();
        --size_;
    }

    // Removes the i-th oldest entry, keeping the others in order.
    void erase(std::size_t i) noexcept {
        for (; i > 0; --i) (*this)[i] = (*this)[i - 1];
        pop_front();
    }

    void clear() noexcept { head_ = size_ = 0; }

  private:
    static std::size_t round_up(std::size_t n) {
        std::size_t p = 1;
        while (p < n) p <<= 1;
        return p;
    }
    std::size_t mask() const noexcept { return slots_.size() - 1; }
    void grow() {
        std::vector<in_flight> bigger(slots_.size() * 2);
        for (std::size_t i = 0; i < size_; ++i) bigger[i] = (*this)[i];
        slots_.swap(bigger);
        head_ = 0;
    }

    std::vector<in_flight> slots_;  // power-of-two size
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace robotbench::loadgen
