// The histogram's bucket maths, queries and merging. Recording is inline in the header.

#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace robotbench::loadgen {

namespace {

// The bucket that holds `highest`: the last one the counts array needs.
constexpr std::size_t top_bucket() {
    return static_cast<std::size_t>(std::bit_width(histogram::highest)) -
           histogram::sub_bucket_bits;
}

}  // namespace

histogram::histogram() : counts_(counts_length(), 0) {}

std::size_t histogram::bucket_count() noexcept {
    return top_bucket() + 1;
}

std::size_t histogram::counts_length() noexcept {
    return (top_bucket() + 2) * sub_bucket_half;
}

std::uint64_t histogram::lowest_equivalent(std::size_t index) noexcept {
    if (index < sub_bucket_count) return index;
    const std::size_t bucket = index / sub_bucket_half - 1;
    return static_cast<std::uint64_t>(index - bucket * sub_bucket_half) << bucket;
}

std::uint64_t histogram::highest_equivalent(std::size_t index) noexcept {
    const std::size_t bucket = index < sub_bucket_count ? 0 : index / sub_bucket_half - 1;
    return lowest_equivalent(index) + (std::uint64_t{1} << bucket) - 1;
}

void histogram::merge(const histogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    clamped_ += other.clamped_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

void histogram::merge(const histogram_snapshot& other) {
    for (const auto& [index, n] : other.counts) counts_[index] += n;
    count_ += other.count;
    clamped_ += other.clamped;
    sum_ += other.sum;
    min_ = std::min(min_, other.min);
    max_ = std::max(max_, other.max);
}

histogram_snapshot histogram::snapshot() const {
    histogram_snapshot s;
    for (std::size_t i = 0; i < counts_.size(); ++i)
        if (counts_[i] != 0) s.counts.emplace_back(static_cast<std::uint32_t>(i), counts_[i]);
    s.count = count_;
    s.clamped = clamped_;
    s.min = min_;
    s.max = max_;
    s.sum = sum_;
    return s;
}

void histogram::assign(std::span<const std::uint64_t> counts, std::uint64_t clamped,
                       std::uint64_t min, std::uint64_t max, double sum) {
    if (counts.size() != counts_.size())
        throw std::invalid_argument("histogram::assign: counts of another layout");
    std::copy(counts.begin(), counts.end(), counts_.begin());
    count_ = 0;
    for (const auto c : counts_) count_ += c;
    clamped_ = clamped;
    min_ = min;
    max_ = max;
    sum_ = sum;
}

void histogram::reset() noexcept {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = clamped_ = max_ = 0;
    min_ = std::numeric_limits<std::uint64_t>::max();
    sum_ = 0;
}

std::uint64_t histogram::min() const noexcept {
    return count_ ? min_ : 0;
}

std::uint64_t histogram::max() const noexcept {
    return max_;
}

double histogram::mean() const noexcept {
    return count_ ? sum_ / double(count_) : 0.0;
}

std::uint64_t histogram::reported_value(std::size_t index) const noexcept {
    return std::clamp(highest_equivalent(index), min_, max_);
}

std::uint64_t histogram::value_at_percentile(double percentile) const noexcept {
    if (count_ == 0) return 0;
    if (!(percentile > 0)) return min_;
    if (percentile >= 100) return max_;
    // The rank of the value asked for: ceil(p% of count), where a product that is an integer up
    // to floating-point noise (99.9% of 1000) is taken as that integer.
    const double exact = percentile / 100.0 * double(count_);
    const double nearest = std::round(exact);
    const double rank_d =
        std::fabs(exact - nearest) <= 1e-9 * std::max(1.0, exact) ? nearest : std::ceil(exact);
    const auto rank = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(rank_d), 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) return reported_value(i);
    }
    return max_;
}

double histogram::stddev() const noexcept {
    if (count_ == 0) return 0;
    const double m = mean();
    double total = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        if (counts_[i] == 0) continue;
        const double mid =
            0.5 * (double(lowest_equivalent(i)) + double(highest_equivalent(i)) + 1.0);
        total += (mid - m) * (mid - m) * double(counts_[i]);
    }
    return std::sqrt(total / double(count_));
}

}  // namespace robotbench::loadgen
