#include "rate_search.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace robotbench {

namespace {

// Each step of the bracketing phase doubles or halves the rate.
constexpr double bracket_factor = 2.0;

}  // namespace

rate_search::rate_search(const rate_search_settings& settings) : settings_(settings) {}

std::optional<double> rate_search::breaking() const {
    std::optional<double> lowest;
    for (const auto& s : steps_)
        if (!s.passed && (!lowest || s.rate < *lowest)) lowest = s.rate;
    return lowest;
}

std::optional<double> rate_search::sustainable() const {
    const auto fail = breaking();
    std::optional<double> highest;
    for (const auto& s : steps_)
        if (s.passed && (!fail || s.rate < *fail) && (!highest || s.rate > *highest))
            highest = s.rate;
    return highest;
}

std::optional<double> rate_search::next() const {
    if (steps_.size() >= settings_.max_steps) return std::nullopt;
    if (steps_.empty()) return std::max(settings_.start_rate, settings_.min_rate);
    const auto pass = sustainable();
    const auto fail = breaking();
    if (pass && fail) {
        if (*fail / *pass <= 1.0 + settings_.resolution_pct / 100.0) return std::nullopt;
        return std::sqrt(*pass * *fail);
    }
    if (pass) return *pass * bracket_factor;
    if (*fail <= settings_.min_rate) return std::nullopt;
    return std::max(*fail / bracket_factor, settings_.min_rate);
}

void rate_search::record(double rate, bool passed) {
    steps_.push_back({rate, passed});
}

std::string rate_search::stop_reason() const {
    const auto pass = sustainable();
    const auto fail = breaking();
    if (pass && fail && *fail / *pass <= 1.0 + settings_.resolution_pct / 100.0)
        return fmt::format("resolution {:g}% reached", settings_.resolution_pct);
    if (!pass && fail && *fail <= settings_.min_rate)
        return fmt::format("no rate down to {:g} req/s meets the target", settings_.min_rate);
    if (steps_.size() >= settings_.max_steps)
        return fmt::format("step budget of {} spent", settings_.max_steps);
    return "searching";
}

}  // namespace robotbench
