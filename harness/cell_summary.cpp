#include "cell_summary.hpp"

#include <array>
#include <map>
#include <set>

namespace robotbench {

namespace {

double us(std::uint64_t ns) {
    return static_cast<double>(ns) / 1e3;
}

constexpr std::array all_metrics{
    summary_metric{"throughput_rps", [](const run_record& r) { return r.throughput(); }},
    summary_metric{"latency_p50_us", [](const run_record& r) { return us(r.latency.p50); }},
    summary_metric{"latency_p90_us", [](const run_record& r) { return us(r.latency.p90); }},
    summary_metric{"latency_p99_us", [](const run_record& r) { return us(r.latency.p99); }},
    summary_metric{"latency_p999_us", [](const run_record& r) { return us(r.latency.p999); }},
    summary_metric{"latency_p9999_us", [](const run_record& r) { return us(r.latency.p9999); }},
};

std::string joined(const std::set<std::string>& words) {
    std::string text;
    for (const auto& w : words) text += (text.empty() ? "" : ", ") + w;
    return text;
}

}  // namespace

std::span<const summary_metric> summary_metrics() {
    return all_metrics;
}

std::optional<stats::median_interval> cell_summary::metric(std::string_view column) const {
    const auto all = summary_metrics();
    for (std::size_t i = 0; i < all.size() && i < metrics.size(); ++i)
        if (all[i].column == column) return metrics[i];
    return std::nullopt;
}

bool counts_in_statistics(const run_record& r) {
    return r.loaded && !r.interrupted && r.skipped.empty() && r.requests > 0 && r.latency.count > 0;
}

std::vector<cell_summary> summarize_cells(std::span<const run_record> runs) {
    std::vector<cell_key> order;
    std::map<cell_key, std::vector<const run_record*>> cells;
    for (const auto& r : runs) {
        auto& members = cells[key_of(r)];
        if (members.empty()) order.push_back(key_of(r));
        members.push_back(&r);
    }
    std::vector<cell_summary> out;
    for (const auto& key : order) {
        const auto& members = cells[key];
        cell_summary s;
        s.key = key;
        if (key.backend.empty()) s.target = members.front()->target;  // a server's port is not
        s.runs = members.size();
        s.skipped = members.front()->skipped;
        std::set<std::string> statuses;
        std::vector<const run_record*> measured;
        for (const auto* r : members) {
            statuses.insert(r->status());
            if (counts_in_statistics(*r)) measured.push_back(r);
        }
        s.statuses = joined(statuses);
        s.measured = measured.size();
        for (const auto& metric : summary_metrics()) {
            if (measured.empty()) {
                s.metrics.emplace_back();
                continue;
            }
            std::vector<double> values;
            for (const auto* r : measured) values.push_back(metric.value(*r));
            s.metrics.push_back(stats::median_ci(values));
            if (metric.column == "throughput_rps")
                s.throughput_spread_pct = stats::spread_percent(values);
        }
        out.push_back(std::move(s));
    }
    return out;
}

double width_percent(const stats::median_interval& m) {
    return m.median > 0 ? 100.0 * (m.high - m.low) / m.median : 0.0;
}

unsigned planned_runs(unsigned repeat, const run_options& o) {
    return o.until_ci_pct > 0 ? std::max(repeat, o.max_repeat) : repeat;
}

bool wants_another_run(unsigned repeat, const run_options& o,
                       std::span<const run_record> cell_runs) {
    if (cell_runs.size() < repeat) return true;
    if (o.until_ci_pct <= 0 || cell_runs.size() >= o.max_repeat) return false;
    // A run that failed ends the extra runs: more of them would not narrow anything.
    if (!counts_in_statistics(cell_runs.back())) return false;
    std::vector<double> throughput;
    for (const auto& r : cell_runs)
        if (counts_in_statistics(r)) throughput.push_back(r.throughput());
    if (throughput.size() < stats::runs_for()) return true;
    return width_percent(stats::median_ci(throughput)) >= o.until_ci_pct;
}

}  // namespace robotbench
