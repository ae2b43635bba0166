#pragma once
// Latency histogram in the manner of HdrHistogram: log2 buckets with linear sub-buckets, three
// significant digits, 1 µs to 60 s. Values are nanoseconds.

#include <cstdint>
#include <iosfwd>
#include <vector>

namespace robotbench::loadgen {

// Records values without locks or allocation; one per thread, merged at the end.
class histogram {
public:
    static constexpr std::uint64_t lowest = 1'000;               // 1 µs, in ns
    static constexpr std::uint64_t highest = 60'000'000'000;     // 60 s, in ns
    static constexpr int significant_digits = 3;

    histogram();

    // Records one value in ns; values are clamped into [lowest, highest] and clamps are counted.
    void record(std::uint64_t ns) noexcept;
    // Adds every value of `other`.
    void merge(const histogram& other);
    void reset() noexcept;

    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t min() const noexcept;   // ns; 0 when empty
    std::uint64_t max() const noexcept;   // ns; 0 when empty
    double mean() const noexcept;         // ns; 0 when empty
    // The smallest recorded value v (to the histogram's precision) such that `percentile`
    // percent of values are <= v. percentile in [0, 100].
    std::uint64_t value_at_percentile(double percentile) const noexcept;

    // Writes the percentile distribution in HdrHistogram's .hgrm text format, values scaled to
    // microseconds (HdrHistogram's outputValueUnitScalingRatio 1000).
    void write_hgrm(std::ostream& out) const;

private:
    // (implementation's choice)
};

}  // namespace robotbench::loadgen
