#include "flag_transformers.hpp"

#include <fmt/core.h>

#include <charconv>
#include <map>
#include <string>

namespace robotbench {

std::optional<std::uint64_t> parse_size(std::string_view text) {
    // AsSizeValue would also read `1.5k` as 1 and ` 4k` with spaces; a size is digits and a unit.
    if (text.empty() || text.front() < '0' || text.front() > '9' ||
        text.find_first_of(" \t") != std::string_view::npos)
        return std::nullopt;
    static const CLI::AsSizeValue bytes(false);
    std::string value(text);
    try {
        if (!bytes(value).empty()) return std::nullopt;
    } catch (const CLI::ValidationError&) {
        return std::nullopt;
    }
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc{} || end != value.data() + value.size()) return std::nullopt;
    return n;
}

CLI::Validator size_transformer() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const auto n = parse_size(text);
            if (!n) return fmt::format("'{}' is not a size in bytes (e.g. 64, 4k; units: {})",
                                       text, size_units);
            text = std::to_string(*n);
            return {};
        },
        "SIZE");
}

CLI::Validator scenario_transformer() {
    std::map<std::string, scenario> names;
    std::string valid;
    for (const auto s : {scenario::load, scenario::presence, scenario::churn, scenario::idle}) {
        names.emplace(scenario_name(s), s);
        valid += (valid.empty() ? "" : ", ") + std::string(scenario_name(s));
    }
    const CLI::CheckedTransformer to_enum(names);
    return CLI::Validator(
        [to_enum, valid](std::string& text) -> std::string {
            const std::string given = text;
            // CheckedTransformer also passes the enum's numbers through; only names are flags.
            if (!given.empty() && given.front() >= '0' && given.front() <= '9')
                return fmt::format("'{}' is not a scenario (valid: {})", given, valid);
            try {
                if (to_enum(text).empty()) return {};
            } catch (const CLI::ValidationError&) {
            }
            text = given;
            return fmt::format("'{}' is not a scenario (valid: {})", given, valid);
        },
        "SCENARIO");
}

}  // namespace robotbench
