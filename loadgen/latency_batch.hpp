#pragma once
// Batched histogram recording: the replies to one pipelined batch arrive in one read and were
// sent in one write, so their latencies are equal, and a run of equal values is recorded once.

#include <cstdint>

#include "histogram.hpp"

namespace robotbench::loadgen {

// Collects consecutive equal values and records each run into a histogram as one value and its
// count. The histogram is the same as with one record() per value once flush() has been called.
// Owned by one generator thread; the histogram outlives it.
class latency_batch {
  public:
    explicit latency_batch(histogram& into) noexcept : into_(into) {}

    void add(std::uint64_t ns) noexcept {
        if (count_ != 0 && ns == value_) {
            ++count_;
            return;
        }
        flush();
        value_ = ns;
        count_ = 1;
    }
    // Records the pending run. Call before anyone reads the histogram.
    void flush() noexcept {
        if (count_ != 0) into_.record(value_, count_);
        count_ = 0;
    }

  private:
    histogram& into_;
    std::uint64_t value_ = 0;
    std::uint64_t count_ = 0;
};

}  // namespace robotbench::loadgen
