// The .hgrm writer: HdrHistogram's percentile-distribution text, so its plotters read our files.
//
// The rows step through percentiles the way HdrHistogram's percentile iterator does with five
// ticks per half distance: 10% steps up to 50%, 5% to 75%, 2.5% to 87.5%, and so on, halving the
// step each time the distance to 100% halves. A row is written at the first recorded value whose
// cumulative percentile reaches the level; the last row is the maximum at 100%.

#include <fmt/format.h>

#include <cmath>
#include <ostream>

#include "histogram.hpp"

namespace robotbench::loadgen {

namespace {

constexpr int ticks_per_half_distance = 5;
constexpr double ns_per_output_unit = 1000.0;  // values are written in µs

// The percentile step after `level`: 100 / (ticks * 2^(floor(log2(100 / (100 - level))) + 1)).
double percentile_step(double level) {
    const double halvings = std::floor(std::log2(100.0 / (100.0 - level)));
    return 100.0 / (ticks_per_half_distance * std::exp2(halvings + 1));
}

}  // namespace

void histogram::write_hgrm(std::ostream& out) const {
    fmt::memory_buffer buf;
    auto it = std::back_inserter(buf);
    fmt::format_to(it, "{:>12} {:>14} {:>10} {:>14}\n\n", "Value", "Percentile", "TotalCount",
                   "1/(1-Percentile)");
    std::uint64_t seen = 0;
    std::size_t last_index = 0;
    double level = 0;
    for (std::size_t i = 0; i < counts_.size() && seen < count_; ++i) {
        if (counts_[i] == 0) continue;
        seen += counts_[i];
        last_index = i;
        const double reached = 100.0 * double(seen) / double(count_);
        // The last recorded value gets only one row here; the closing 100% row follows.
        while (level <= reached) {
            const double fraction = level / 100.0;
            fmt::format_to(it, "{:12.3f} {:2.12f} {:10d} {:14.2f}\n",
                           double(reported_value(i)) / ns_per_output_unit, fraction, seen,
                           1.0 / (1.0 - fraction));
            level += percentile_step(level);
            if (seen == count_) break;
        }
    }
    if (count_ > 0) {
        fmt::format_to(it, "{:12.3f} {:2.12f} {:10d}\n",
                       double(reported_value(last_index)) / ns_per_output_unit, 1.0, count_);
    }
    fmt::format_to(it, "#[Mean    = {:12.3f}, StdDeviation   = {:12.3f}]\n",
                   mean() / ns_per_output_unit, stddev() / ns_per_output_unit);
    fmt::format_to(it, "#[Max     = {:12.3f}, Total count    = {:12d}]\n",
                   double(max()) / ns_per_output_unit, count_);
    fmt::format_to(it, "#[Buckets = {:12d}, SubBuckets     = {:12d}]\n", bucket_count(),
                   sub_bucket_count);
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

}  // namespace robotbench::loadgen
