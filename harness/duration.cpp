#include "duration.hpp"

#include <fmt/core.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace robotbench {

namespace {

struct unit {
    std::string_view suffix;
    std::int64_t ns;
};

// Longest suffixes first, so `ms` is not read as `m` followed by junk.
constexpr std::array units{
    unit{"ns", 1},
    unit{"us", 1'000},
    unit{"ms", 1'000'000},
    unit{"s", 1'000'000'000},
    unit{"m", 60'000'000'000},
    unit{"h", 3'600'000'000'000},
};

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
    std::int64_t scale = 1'000'000'000;  // a bare number is seconds
    for (const auto& u : units) {
        if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
            const char before = text[text.size() - u.suffix.size() - 1];
            if ((before < '0' || before > '9') && before != '.') continue;
            scale = u.ns;
            text.remove_suffix(u.suffix.size());
            break;
        }
    }
    if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
    double value = 0;
    const auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    const double ns = value * static_cast<double>(scale);
    if (ns > 1e18) return std::nullopt;  // beyond any sensible run, and near int64's limit
    return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(ns)));
}

std::string duration_text(std::chrono::nanoseconds d) {
    const auto ns = d.count();
    if (ns == 0) return "0s";
    // Walk from the largest unit down to the first that divides the value exactly.
    for (auto it = units.rbegin(); it != units.rend(); ++it)
        if (ns % it->ns == 0) return fmt::format("{}{}", ns / it->ns, it->suffix);
    return fmt::format("{}ns", ns);
}

}  // namespace robotbench
