#include "latency_spectrum.hpp"

#include <fmt/format.h>

#include <array>
#include <sstream>

namespace robotbench {

namespace {

constexpr std::array headline_percentiles{50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 99.999, 100.0};

}  // namespace

std::string latency_spectrum(const loadgen::histogram& h) {
    if (h.count() == 0) return "  Latency distribution: no request was recorded\n";
    std::string out = "  Latency distribution (HdrHistogram, recorded latency, µs)\n";
    for (const double p : headline_percentiles) {
        // 100% is the largest value recorded, as the report's max.
        const auto ns = p < 100 ? h.value_at_percentile(p) : h.max();
        out += fmt::format("  {:7.3f}%  {:12.3f}\n", p, double(ns) / 1e3);
    }
    out += "\n  Detailed percentile spectrum (µs):\n";
    std::ostringstream table;
    h.write_hgrm(table);
    out += table.str();
    return out;
}

}  // namespace robotbench
