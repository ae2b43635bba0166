// The sweep's closing table: the median and min–max spread of each cell's repeated runs.

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "sweep.hpp"
#include "text_table.hpp"
#include "units.hpp"

namespace robotbench {

namespace {

using cell_key = std::tuple<std::string, unsigned, std::size_t, unsigned, double>;

cell_key key_of(const run_record& r) {
    return {r.backend, r.options.connections, r.options.size, r.options.pipeline, r.options.rate};
}

// Median (the mean of the middle two for an even count), min and max. values is not empty.
std::tuple<double, double, double> spread(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const auto n = values.size();
    const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    return {median, values.front(), values.back()};
}

std::string statuses(const std::vector<const run_record*>& runs) {
    std::set<std::string> seen;
    for (const auto* r : runs) seen.insert(r->status());
    std::string text;
    for (const auto& s : seen) text += (text.empty() ? "" : ", ") + s;
    return text;
}

}  // namespace

std::string sweep_summary(const std::vector<run_record>& runs) {
    std::vector<cell_key> order;
    std::map<cell_key, std::vector<const run_record*>> cells;
    for (const auto& r : runs) {
        auto& members = cells[key_of(r)];
        if (members.empty()) order.push_back(key_of(r));
        members.push_back(&r);
    }
    text_table table;
    table.add_row({"backend", "conns", "size", "P", "rate", "runs", "throughput (median)",
                   "min–max (req/s)", "p99 (median)", "p99 min–max", "status"});
    for (const auto& key : order) {
        const auto& members = cells[key];
        std::vector<double> tput, p99;
        for (const auto* r : members) {
            if (!r->loaded || r->requests == 0) continue;
            tput.push_back(r->throughput());
            p99.push_back(double(r->latency.p99));
        }
        const auto& [backend, conns, size, pipeline, rate] = key;
        std::vector<std::string> row{backend, format_count(conns), fmt::format("{} B", size),
                                     format_count(pipeline),
                                     rate > 0 ? format_rate(rate) + " req/s" : "closed",
                                     format_count(members.size())};
        if (tput.empty()) {
            row.insert(row.end(), {"n/a", "n/a", "n/a", "n/a"});
        } else {
            const auto [t_med, t_min, t_max] = spread(tput);
            const auto [p_med, p_min, p_max] = spread(p99);
            row.push_back(format_rate(t_med) + " req/s");
            row.push_back(format_rate(t_min) + "–" + format_rate(t_max));
            row.push_back(format_latency(std::uint64_t(p_med)));
            row.push_back(format_latency(std::uint64_t(p_min)) + "–" +
                          format_latency(std::uint64_t(p_max)));
        }
        row.push_back(statuses(members));
        table.add_row(std::move(row));
    }
    std::string text = table.render();
    for (const auto& key : order) {
        const auto* first = cells[key].front();
        if (!first->skipped.empty())
            text += fmt::format("skipped: {} c={}: {}\n", first->backend,
                                first->options.connections, first->skipped);
    }
    return text;
}

}  // namespace robotbench
