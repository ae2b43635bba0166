#include "noise.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>

namespace robotbench {

std::optional<double> parse_load_average(std::string_view text) {
    const auto end = text.find(' ');
    const auto first = text.substr(0, end);
    double value = -1;
    const auto [ptr, ec] = std::from_chars(first.data(), first.data() + first.size(), value);
    if (ec != std::errc{} || ptr != first.data() + first.size() || value < 0) return std::nullopt;
    return value;
}

std::string governor_text(const std::vector<std::string>& per_cpu) {
    std::vector<std::string> seen;
    for (const auto& g : per_cpu)
        if (!g.empty() && std::find(seen.begin(), seen.end(), g) == seen.end()) seen.push_back(g);
    std::string text;
    for (const auto& g : seen) text += (text.empty() ? "" : "/") + g;
    return text;
}

machine_noise read_machine_noise() {
    namespace fs = std::filesystem;
    machine_noise noise;
    if (std::ifstream in("/proc/loadavg"); in) {
        std::string line;
        std::getline(in, line);
        noise.load_average = parse_load_average(line);
    }
    std::vector<std::string> governors;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/sys/devices/system/cpu", ec)) {
        const auto name = entry.path().filename().string();
        if (!name.starts_with("cpu") || name.size() == 3 ||
            !std::all_of(name.begin() + 3, name.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        std::ifstream in(entry.path() / "cpufreq" / "scaling_governor");
        std::string governor;
        if (in && std::getline(in, governor)) governors.push_back(governor);
    }
    noise.cpu_governor = governor_text(governors);
    return noise;
}

}  // namespace robotbench
