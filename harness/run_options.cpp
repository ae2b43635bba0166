#include "run_options.hpp"

#include <arpa/inet.h>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <numeric>
#include <thread>

#include "backends/backend.hpp"
#include "loadgen/config_check.hpp"
#include "loadgen/usage_error.hpp"
#include "statistics.hpp"

namespace robotbench {

namespace {

constexpr std::array scenario_names{
    std::pair{scenario::load, std::string_view{"load"}},
    std::pair{scenario::presence, std::string_view{"presence"}},
    std::pair{scenario::churn, std::string_view{"churn"}},
    std::pair{scenario::idle, std::string_view{"idle"}},
};

// The shortest interval the load generator is asked to record on its own.
constexpr std::chrono::nanoseconds min_record_interval = std::chrono::milliseconds(10);

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace

std::string_view scenario_name(scenario s) {
    for (const auto& [value, name] : scenario_names)
        if (value == s) return name;
    return "?";
}

std::optional<scenario> find_scenario(std::string_view name) {
    for (const auto& [value, known] : scenario_names)
        if (known == name) return value;
    return std::nullopt;
}

backend_selection expand_backends(std::string_view list) {
    backend_selection out;
    const auto add = [&](std::string_view name) {
        if (std::find(out.names.begin(), out.names.end(), name) == out.names.end())
            out.names.emplace_back(name);
    };
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = std::min(list.find(',', start), list.size());
        const auto item = trim(list.substr(start, comma - start));
        start = comma + 1;
        if (item == "all") {
            for (const auto& row : backends())
                if (row.available()) add(row.name);
            continue;
        }
        const backend_info* row = find_backend(item);
        if (row == nullptr) {
            out.error =
                fmt::format("unknown backend '{}' (valid: {}, or all)", item, backend_names());
            return out;
        }
        if (const auto why = row->unavailable(); !why.empty()) {
            out.error = fmt::format("backend '{}' is not available: {}", row->name, why);
            return out;
        }
        add(row->name);
    }
    return out;
}

std::optional<loadgen::endpoint> parse_target(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::string host(text.substr(0, colon));
    const auto port_text = text.substr(colon + 1);
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535)
        return std::nullopt;
    if (host == "localhost") host = "127.0.0.1";
    in_addr addr{};
    if (::inet_pton(AF_INET, host.c_str(), &addr) != 1) return std::nullopt;
    return loadgen::endpoint{host, static_cast<std::uint16_t>(port)};
}

std::chrono::nanoseconds record_interval(const run_options& o) {
    const std::int64_t second = std::chrono::nanoseconds(std::chrono::seconds(1)).count();
    return std::chrono::nanoseconds(std::gcd(std::max<std::int64_t>(1, o.hlog_interval.count()), second));
}

std::string check_run_options(const run_options& o) {
    if (o.until_ci_pct > 0 && o.max_repeat < stats::runs_for())
        return fmt::format(
            "--until-ci needs --max-repeat of at least {} (the fewest runs whose interval of the "
            "median reaches 95%)",
            stats::runs_for());
    const int on_stdout = (o.csv_path == "-") + (o.json_path == "-") + (o.summary_csv_path == "-");
    if (on_stdout > 1)
        return "only one of --csv, --json and --summary-csv can be - (standard output holds one "
               "document)";
    if (o.load.requests > 0 && o.kind != scenario::load)
        return fmt::format("-n/--requests applies to --scenario load only, not {}",
                           scenario_name(o.kind));
    if (o.kind == scenario::presence) return {};  // the load settings play no part
    if (record_interval(o) < min_record_interval)
        return fmt::format(
            "--hlog-interval {}ms does not fit whole seconds: use a part of a second of at least "
            "10ms (e.g. 100ms, 250ms, 500ms) or a multiple of one (1s, 1500ms, 10s)",
            std::chrono::duration_cast<std::chrono::milliseconds>(o.hlog_interval).count());
    // The load generator's own checks, the ones it applies again when handed the settings.
    try {
        if (o.kind == scenario::churn)
            loadgen::check_churn_config(churn_config_for(o, {}));
        else if (o.kind == scenario::idle)
            loadgen::check_idle_config(idle_config_for(o, {}));
        else
            loadgen::check_load_settings(o.load);
    } catch (const usage_error& e) {
        return e.what();
    }
    // What only the harness knows: the server's longest line.
    if (o.load.size > o.max_line)
        return fmt::format("--size {} is above the server's max line of {} bytes (--max-line)",
                           o.load.size, o.max_line);
    return {};
}

loadgen::load_config load_config_for(const run_options& o, const loadgen::endpoint& target) {
    loadgen::load_config c = o.load;
    c.target = target;
    c.interval = record_interval(o);
    return c;
}

loadgen::churn_config churn_config_for(const run_options& o, const loadgen::endpoint& target) {
    loadgen::churn_config c;
    c.load = load_config_for(o, target);
    c.connect_rate = o.connect_rate;
    c.requests_per_connection = o.requests_per_connection;
    return c;
}

loadgen::idle_config idle_config_for(const run_options& o, const loadgen::endpoint& target) {
    loadgen::idle_config c;
    c.load = load_config_for(o, target);
    c.interval = o.idle_interval;
    c.probes = idle_probes;
    c.probe_rate = o.probe_rate;
    return c;
}

server_options server_settings(const run_options& o) {
    server_options s;
    s.threads = o.server_threads;
    if (o.server_workers != 0) s.workers = o.server_workers;
    s.idle_timeout = o.server_idle_timeout;
    s.limits.max_line = o.max_line;
    return s;
}

std::string capacity_problem(std::string_view backend, const run_options& o) {
    const backend_info* info = find_backend(backend);
    if (info == nullptr) return {};
    const auto capacity = info->capacity(server_settings(o));
    if (!capacity.cannot_start.empty()) return start_problem(backend, o);
    // The presence check adds a handful of its own clients besides the load's connections.
    const std::size_t wanted = o.kind == scenario::presence ? 0
                               : o.kind == scenario::idle   ? o.load.connections + idle_probes
                                                            : o.load.connections;
    if (capacity.clients == 0 || wanted <= capacity.clients) return {};
    return fmt::format("{} serves at most {} clients at once ({}); this run opens {}", info->name,
                       capacity.clients, capacity.reason, wanted);
}

std::string start_problem(std::string_view backend, const run_options& o) {
    const backend_info* info = find_backend(backend);
    if (info == nullptr) return {};
    const auto capacity = info->capacity(server_settings(o));
    if (capacity.cannot_start.empty()) return {};
    return fmt::format("{} cannot start on this machine: {}", info->name, capacity.cannot_start);
}

unsigned max_in_flight(const run_options& o) {
    if (o.kind == scenario::churn) return o.requests_per_connection;
    if (o.load.rate > 0 || o.kind == scenario::idle)
        return static_cast<unsigned>(loadgen::open_loop_max_in_flight);
    return o.load.pipeline;
}

unsigned generator_threads(const run_options& o) { return loadgen::generator_threads(o.load); }

std::string per_backend_path(const std::string& path, std::string_view backend) {
    const auto slash = path.rfind('/');
    const auto dot = path.rfind('.');
    const bool has_extension =
        dot != std::string::npos && dot != 0 && (slash == std::string::npos || dot > slash + 1);
    if (!has_extension) return fmt::format("{}-{}", path, backend);
    return fmt::format("{}-{}{}", path.substr(0, dot), backend, path.substr(dot));
}

}  // namespace robotbench
