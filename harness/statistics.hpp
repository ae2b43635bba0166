#pragma once
// The statistics behind repeated runs: the median with its exact distribution-free interval, the
// spread of the repeats, and the bootstrap interval of the ratio of two medians that `robotbench
// compare` judges significance by. docs/statistics.md says why these methods. Pure; any thread.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace robotbench::stats {

// The confidence every interval aims at.
inline constexpr double default_confidence = 0.95;

// The middle value, or the mean of the middle two for an even count. `values` is not empty.
double median(std::vector<double> values);

// (max − min) / median in percent; 0 with fewer than two values or a median that is not above 0.
double spread_percent(const std::vector<double>& values);

// P(B ≤ k) for B ~ Binomial(n, 1/2): the chance that at most k of n runs fall below the median.
double binomial_half_cdf(std::size_t k, std::size_t n);

// A median and the interval that holds the population median with probability `confidence`.
struct median_interval {
    double median = 0;
    double low = 0;         // the order statistic x(k)
    double high = 0;        // the order statistic x(n+1−k)
    double confidence = 0;  // the interval's actual coverage: 1 − 2·P(B ≤ k−1)
    std::size_t runs = 0;   // n
};

// The exact order-statistic interval of the median: the narrowest [x(k), x(n+1−k)] whose coverage
// reaches `confidence`, for any distribution of the runs. Below runs_for(confidence) values no
// such interval exists; the widest one, [min, max], is returned with its own, lower coverage
// (75% for 3 runs). `values` is not empty.
median_interval median_ci(std::vector<double> values, double confidence = default_confidence);

// The fewest runs whose [min, max] reaches `confidence`: 6 for 95%.
std::size_t runs_for(double confidence = default_confidence);

// The ratio of two medians, median(after) / median(before), with the percentile bootstrap
// interval of that ratio: each side resampled with replacement `resamples` times from a fixed
// seed (the same samples give the same interval on every machine).
struct ratio_interval {
    double ratio = 0;
    double low = 0;
    double high = 0;
    double confidence = 0;
    unsigned resamples = 0;
    // The interval lies wholly above or below 1.
    bool excludes_one() const { return low > 1.0 || high < 1.0; }
};

inline constexpr unsigned default_resamples = 10'000;
inline constexpr std::uint64_t default_seed = 0x726f626f7462656eULL;  // "robotben"

// Both sides must be non-empty with medians (and resampled medians) above zero; a side whose
// resampled median is zero makes the ratio unbounded, and the interval is then [0, inf].
ratio_interval bootstrap_median_ratio(const std::vector<double>& before,
                                      const std::vector<double>& after,
                                      double confidence = default_confidence,
                                      unsigned resamples = default_resamples,
                                      std::uint64_t seed = default_seed);

}  // namespace robotbench::stats
