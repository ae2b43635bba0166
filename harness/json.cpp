#include "json.hpp"

#include <fmt/core.h>

#include <cmath>
#include <stdexcept>

namespace robotbench {

json json_number(double v, int places) {
    if (!std::isfinite(v)) return nullptr;
    const double scale = std::pow(10.0, places);
    const double rounded = std::round(v * scale) / scale;
    return std::isfinite(rounded) ? rounded : v;
}

json json_number(const std::optional<double>& v, int places) {
    return v ? json_number(*v, places) : json(nullptr);
}

json json_cell(const cell& c) {
    if (auto s = std::get_if<std::string>(&c)) return *s;
    if (auto n = std::get_if<std::uint64_t>(&c)) return *n;
    if (auto d = std::get_if<decimal>(&c)) return json_number(d->value, d->places);
    return nullptr;
}

std::string json_text(const json& document) {
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

json parse_json(const std::string& text) {
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        // nlohmann's message starts with its exception id and the line and column; the byte
        // offset (from 0) says where as well, and is what the rest of the project names.
        std::string what = e.what();
        if (const auto at = what.find(": "); at != std::string::npos) what.erase(0, at + 2);
        throw std::runtime_error(
            fmt::format("not JSON at byte {}: {}", e.byte > 0 ? e.byte - 1 : 0, what));
    }
}

}  // namespace robotbench
