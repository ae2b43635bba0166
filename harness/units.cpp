#include "units.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

namespace robotbench {

namespace {

// Three significant digits: 1.23, 12.3, 123.
std::string three_digits(double v) {
    if (v < 9.995) return fmt::format("{:.2f}", v);
    if (v < 99.95) return fmt::format("{:.1f}", v);
    return fmt::format("{:.0f}", v);
}

}  // namespace

std::string format_latency(std::uint64_t ns) {
    struct unit {
        double scale;
        std::string_view name;
    };
    constexpr std::array units{unit{1e3, "µs"}, unit{1e6, "ms"}, unit{1e9, "s"}};
    if (ns < 1'000) return fmt::format("{} ns", ns);
    const double value = static_cast<double>(ns);
    for (std::size_t i = 0; i < units.size(); ++i) {
        const double v = value / units[i].scale;
        // 999.7 µs would print as `1000 µs`: show it as `1.00 ms` instead.
        if (v < 999.5 || i + 1 == units.size())
            return fmt::format("{} {}", three_digits(v), units[i].name);
    }
    return {};  // not reached
}

std::string format_count(std::uint64_t n) {
    const std::string digits = fmt::format("{}", n);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string format_rate(double per_second) {
    if (!(per_second > 0)) return "0";
    return format_count(static_cast<std::uint64_t>(std::llround(per_second)));
}

std::string format_plus_minus(double value, double deviation) {
    const double magnitude = std::abs(value);
    if (magnitude >= 999'950) return fmt::format("{:.2f}M ± {:.2f}M", value / 1e6, deviation / 1e6);
    if (magnitude >= 999.5) return fmt::format("{:.1f}k ± {:.1f}k", value / 1e3, deviation / 1e3);
    return fmt::format("{:.0f} ± {:.0f}", value, deviation);
}

namespace {

// ns as a whole number, within [0, a day].
std::uint64_t whole_ns(double ns) {
    constexpr double day_ns = 86'400e9;
    return static_cast<std::uint64_t>(std::llround(std::clamp(ns, 0.0, day_ns)));
}

}  // namespace

std::string format_latency_us(double us) {
    return format_latency(whole_ns(us * 1e3));
}

std::string format_latency_plus_minus(double ns, double deviation_ns) {
    return format_latency(whole_ns(ns)) + " ± " + format_latency(whole_ns(deviation_ns));
}

std::string format_memory(std::uint64_t kib) {
    if (kib < 10 * 1024) return format_count(kib) + " KiB";
    return fmt::format("{:.1f} MiB", static_cast<double>(kib) / 1024.0);
}

}  // namespace robotbench
