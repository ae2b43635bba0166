#include "statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

namespace robotbench::stats {

namespace {

// The median of `values`, reordering them (nth_element): no copy in the bootstrap's loop.
double median_in_place(std::vector<double>& values) {
    const auto n = values.size();
    const auto mid = values.begin() + static_cast<std::ptrdiff_t>(n / 2);
    std::nth_element(values.begin(), mid, values.end());
    if (n % 2) return *mid;
    const double upper = *mid;
    const double lower = *std::max_element(values.begin(), mid);
    return (lower + upper) / 2;
}

// Coverage of [x(k), x(n+1−k)] (k from 1): the median lies below x(k) only if fewer than k runs
// do, and above x(n+1−k) likewise.
double coverage(std::size_t k, std::size_t n) {
    return 1.0 - 2.0 * binomial_half_cdf(k - 1, n);
}

// An index in [0, n) from the generator. std::uniform_int_distribution differs between standard
// libraries; the modulo's bias (n / 2^64) is far below anything measurable here.
std::size_t draw(std::mt19937_64& rng, std::size_t n) {
    return static_cast<std::size_t>(rng() % n);
}

void resample_median(const std::vector<double>& from, std::vector<double>& scratch,
                     std::mt19937_64& rng, double& out) {
    scratch.resize(from.size());
    for (auto& v : scratch) v = from[draw(rng, from.size())];
    out = median_in_place(scratch);
}

}  // namespace

double median(std::vector<double> values) {
    if (values.empty()) throw std::invalid_argument("the median of no values");
    return median_in_place(values);
}

double spread_percent(const std::vector<double>& values) {
    if (values.size() < 2) return 0;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const double m = median(values);
    return m > 0 ? 100.0 * (*hi - *lo) / m : 0.0;
}

double binomial_half_cdf(std::size_t k, std::size_t n) {
    if (k >= n) return 1.0;
    // C(n, i) / 2^n, term by term: C(n, i+1) = C(n, i)·(n−i)/(i+1).
    double term = std::ldexp(1.0, -static_cast<int>(n));
    double sum = 0;
    for (std::size_t i = 0; i <= k; ++i) {
        sum += term;
        term = term * static_cast<double>(n - i) / static_cast<double>(i + 1);
    }
    return std::min(sum, 1.0);
}

std::size_t runs_for(double confidence) {
    std::size_t n = 1;
    while (coverage(1, n) < confidence) ++n;
    return n;
}

median_interval median_ci(std::vector<double> values, double confidence) {
    if (values.empty()) throw std::invalid_argument("an interval of no values");
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    median_interval m;
    m.runs = n;
    m.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    // The largest k (narrowest interval) that still reaches the confidence; k = 1 when none does.
    std::size_t k = 1;
    while (k + 1 <= (n + 1) / 2 && coverage(k + 1, n) >= confidence) ++k;
    m.low = values[k - 1];
    m.high = values[n - k];
    m.confidence = coverage(k, n);
    return m;
}

ratio_interval bootstrap_median_ratio(const std::vector<double>& before,
                                      const std::vector<double>& after, double confidence,
                                      unsigned resamples, std::uint64_t seed) {
    if (before.empty() || after.empty()) throw std::invalid_argument("a ratio of no values");
    if (resamples == 0) throw std::invalid_argument("a bootstrap of no resamples");
    ratio_interval r;
    r.confidence = confidence;
    r.resamples = resamples;
    const double base = median(before);
    r.ratio = base > 0 ? median(after) / base : std::numeric_limits<double>::infinity();
    std::mt19937_64 rng(seed);
    std::vector<double> ratios(resamples), scratch;
    for (auto& ratio : ratios) {
        double b = 0, a = 0;
        resample_median(before, scratch, rng, b);
        resample_median(after, scratch, rng, a);
        ratio = b > 0 ? a / b : std::numeric_limits<double>::infinity();
    }
    std::sort(ratios.begin(), ratios.end());
    // The (1−c)/2 and (1+c)/2 quantiles, as order statistics of the resampled ratios.
    const auto tail = static_cast<std::size_t>(std::floor((1.0 - confidence) / 2 * resamples));
    r.low = ratios[std::min(tail, ratios.size() - 1)];
    r.high = ratios[ratios.size() - 1 - std::min(tail, ratios.size() - 1)];
    return r;
}

}  // namespace robotbench::stats
