#pragma once
// Latency histogram in the manner of HdrHistogram: log2 buckets with linear sub-buckets, three
// significant digits, 1 µs to 60 s. Values are nanoseconds.
//
// Layout: bucket 0 holds the values 0..2047 one by one; bucket b >= 1 holds [1024 << b, 2048 << b)
// in 1024 linear steps of 2^b, so every value is kept within 1/1024 (better than 3 significant
// digits). The counts array is fixed at construction; recording never allocates.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <utility>
#include <span>
#include <vector>

namespace robotbench::loadgen {

// A histogram's non-zero counts and totals, compact enough to keep one per interval of a run.
// Plain data, copied freely.
struct histogram_snapshot {
    std::vector<std::pair<std::uint32_t, std::uint64_t>> counts;  // (counts index, count), ascending
    std::uint64_t count = 0;
    std::uint64_t clamped = 0;
    std::uint64_t min = std::numeric_limits<std::uint64_t>::max();  // ns; max() when empty
    std::uint64_t max = 0;                                         // ns
    double sum = 0;                                                // ns
};

// Records values without locks or allocation; one per thread, merged at the end.
class histogram {
public:
    static constexpr std::uint64_t lowest = 1'000;               // 1 µs, in ns
    static constexpr std::uint64_t highest = 60'000'000'000;     // 60 s, in ns
    static constexpr int significant_digits = 3;

    histogram();

    static constexpr int sub_bucket_bits = 11;                      // 2048 sub-buckets
    static constexpr std::uint64_t sub_bucket_count = 1u << sub_bucket_bits;
    static constexpr std::uint64_t sub_bucket_half = sub_bucket_count / 2;

    // Records one value in ns; values are clamped into [lowest, highest] and clamps are counted.
    // The owning thread only; no locks, no allocation.
    void record(std::uint64_t ns) noexcept { record(ns, 1); }
    // Records `n` values equal to `ns` at the cost of one, exactly as n calls of record(ns).
    void record(std::uint64_t ns, std::uint64_t n) noexcept {
        if (ns < lowest || ns > highest) [[unlikely]] {
            clamped_ += n;
            ns = ns < lowest ? lowest : highest;
        }
        counts_[index_of(ns)] += n;
        count_ += n;
        sum_ += static_cast<double>(ns) * static_cast<double>(n);
        if (ns < min_) min_ = ns;
        if (ns > max_) max_ = ns;
    }
    // Adds every value of `other`.
    void merge(const histogram& other);
    void merge(const histogram_snapshot& other);
    // The non-zero counts and totals. Walks the whole counts array: once an interval, not per value.
    histogram_snapshot snapshot() const;
    void reset() noexcept;

    std::uint64_t count() const noexcept { return count_; }
    // The raw state, for an exact merge across processes (an MPI reduction): the counts array
    // (counts_length() entries) and the sum of the recorded values in ns.
    std::span<const std::uint64_t> counts() const noexcept { return counts_; }
    double sum() const noexcept { return sum_; }
    // Replaces the contents with a merged raw state: counts_length() counts and the totals that
    // go with them (min and max in ns; min of an empty histogram: UINT64_MAX).
    void assign(std::span<const std::uint64_t> counts, std::uint64_t clamped, std::uint64_t min,
                std::uint64_t max, double sum);
    // Values that fell outside [lowest, highest] and were recorded as the nearest bound.
    std::uint64_t clamped() const noexcept { return clamped_; }
    std::uint64_t min() const noexcept;   // ns; 0 when empty
    std::uint64_t max() const noexcept;   // ns; 0 when empty
    double mean() const noexcept;         // ns; 0 when empty
    // The smallest recorded value v (to the histogram's precision) such that `percentile`
    // percent of values are <= v. percentile in [0, 100].
    std::uint64_t value_at_percentile(double percentile) const noexcept;

    // Writes the percentile distribution in HdrHistogram's .hgrm text format, values scaled to
    // microseconds (HdrHistogram's outputValueUnitScalingRatio 1000).
    void write_hgrm(std::ostream& out) const;

    // The bucket layout, public for tests and the .hgrm writer: the counts index of a value,
    // the smallest and largest value an index stands for.
    static std::size_t index_of(std::uint64_t v) noexcept {
        const int width = std::numeric_limits<std::uint64_t>::digits -
                          __builtin_clzll(v | (sub_bucket_count - 1));
        const int bucket = width - sub_bucket_bits;
        return (static_cast<std::size_t>(bucket) << (sub_bucket_bits - 1)) + (v >> bucket);
    }
    static std::uint64_t lowest_equivalent(std::size_t index) noexcept;
    static std::uint64_t highest_equivalent(std::size_t index) noexcept;
    static std::size_t bucket_count() noexcept;   // log2 buckets covering [0, highest]
    static std::size_t counts_length() noexcept;  // entries of the counts array

private:
    // The value printed for a counts index: its highest equivalent, but never above max().
    std::uint64_t reported_value(std::size_t index) const noexcept;
    // The standard deviation over bucket midpoints, as HdrHistogram computes it; ns.
    double stddev() const noexcept;

    std::vector<std::uint64_t> counts_;  // counts_length() entries, allocated once
    std::uint64_t count_ = 0;
    std::uint64_t clamped_ = 0;
    std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t max_ = 0;
    double sum_ = 0;                     // of the recorded (clamped) values, for an exact mean
};

}  // namespace robotbench::loadgen
