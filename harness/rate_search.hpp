#pragma once
// The search `robotbench slo` runs for each backend: the highest open-loop rate at which a latency
// percentile stays under its target. It starts from a given rate (the closed-loop throughput),
// doubles or halves until one rate passes and one fails, then bisects between them (geometric
// midpoints) until the lowest failing rate is within the resolution of the highest passing one,
// or the step budget is spent. Pure: the caller measures each rate and records the outcome.

#include <optional>
#include <string>
#include <vector>

namespace robotbench {

// How the search goes.
struct rate_search_settings {
    double start_rate = 1000;   // req/s, the first rate tried
    double resolution_pct = 5;  // stop when failing / passing − 1 is at most this, in percent
    unsigned max_steps = 12;    // the most rates tried
    double min_rate = 10;       // req/s: a failure at or below it ends the search
};

// One rate tried and whether it met the target.
struct rate_step {
    double rate = 0;
    bool passed = false;
};

// The search's state. Used by one thread.
class rate_search {
  public:
    explicit rate_search(const rate_search_settings& settings);

    // The next rate to try, or nullopt once the search has ended (stop_reason() says why).
    std::optional<double> next() const;

    // Records the outcome of a rate next() proposed.
    void record(double rate, bool passed);

    // The highest passing rate below the lowest failing one: what the server sustains.
    std::optional<double> sustainable() const;
    // The lowest failing rate: where the target breaks.
    std::optional<double> breaking() const;

    const std::vector<rate_step>& steps() const { return steps_; }
    const rate_search_settings& settings() const { return settings_; }

    // Why the search ended (or `searching`).
    std::string stop_reason() const;

  private:
    rate_search_settings settings_;
    std::vector<rate_step> steps_;
};

}  // namespace robotbench
