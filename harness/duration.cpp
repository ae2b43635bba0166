#include "duration.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>

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
    // The number and unit are CLI11's to read (AsNumberWithUnit); what it would also take and
    // the flags never did is refused first: signs, spaces, exponents, a unit without a number.
    static constexpr std::string_view letters = "abcdefghijklmnopqrstuvwxyz";
    const auto unit_at = text.find_first_of(letters);
    if (text.empty() || (text.front() != '.' && (text.front() < '0' || text.front() > '9')))
        return std::nullopt;
    if (text.substr(0, unit_at).find_first_not_of("0123456789.") != std::string_view::npos)
        return std::nullopt;
    if (unit_at != std::string_view::npos &&
        text.find_first_not_of(letters, unit_at) != std::string_view::npos)
        return std::nullopt;
    static const CLI::AsNumberWithUnit to_ns(
        std::map<std::string, double>{{"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9},
                                      {"m", 60e9}, {"h", 3600e9}},
        CLI::AsNumberWithUnit::CASE_SENSITIVE, "UNIT");
    std::string value(text);
    if (unit_at == std::string_view::npos) value += 's';  // a bare number is seconds
    try {
        if (!to_ns(value).empty()) return std::nullopt;
    } catch (const CLI::ValidationError&) {
        return std::nullopt;
    }
    double ns = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ns);
    if (ec != std::errc{} || end != value.data() + value.size() || !std::isfinite(ns) || ns < 0 ||
        ns > 1e18)  // beyond any sensible run, and near int64's limit
        return std::nullopt;
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
