#include "compare.hpp"

#include <algorithm>
#include <array>
#include <map>

namespace robotbench {

namespace {

constexpr std::array metrics{
    compared_metric{"throughput_rps", "throughput", true},
    compared_metric{"latency_p50_us", "p50", false},
    compared_metric{"latency_p99_us", "p99", false},
    compared_metric{"latency_p999_us", "p99.9", false},
};

// Each cell's runs, in the order the cells first appear.
struct grouped {
    std::vector<cell_key> order;
    std::map<cell_key, std::vector<const result_run*>> runs;
};

grouped group(const result_file& file) {
    grouped g;
    for (const auto& r : file.runs) {
        auto& members = g.runs[r.key];
        if (members.empty()) g.order.push_back(r.key);
        members.push_back(&r);
    }
    return g;
}

std::vector<double> values_of(const std::vector<const result_run*>& runs, std::string_view column) {
    std::vector<double> out;
    for (const auto* r : runs)
        if (const auto it = r->figures.find(column); it != r->figures.end())
            out.push_back(it->second);
    return out;
}

}  // namespace

std::span<const compared_metric> compared_metrics() {
    return metrics;
}

std::string_view change_name(change c) {
    switch (c) {
        case change::too_few_runs:
            return "too few runs";
        case change::same:
            return "same";
        case change::better:
            return "better";
        case change::worse:
            return "worse";
        case change::improvement:
            return "improvement";
        case change::regression:
            return "REGRESSION";
    }
    return "?";
}

change judge(const stats::ratio_interval& ratio, bool higher_is_better, double threshold_pct,
             std::size_t runs_a, std::size_t runs_b) {
    if (std::min(runs_a, runs_b) < min_runs_for_significance) return change::too_few_runs;
    if (!ratio.excludes_one()) return change::same;
    const bool up = ratio.ratio > 1.0;
    const bool good = up == higher_is_better;
    const double t = threshold_pct / 100.0;
    const bool past = up ? ratio.ratio > 1.0 + t : ratio.ratio < 1.0 - t;
    if (good) return past ? change::improvement : change::better;
    return past ? change::regression : change::worse;
}

std::size_t comparison::count(change c) const {
    std::size_t n = 0;
    for (const auto& cell : cells)
        for (const auto& m : cell.metrics) n += m.verdict == c ? 1 : 0;
    return n;
}

comparison compare_results(const result_file& a, const result_file& b, double threshold_pct) {
    comparison out;
    out.path_a = a.path;
    out.path_b = b.path;
    out.threshold_pct = threshold_pct;
    const auto ga = group(a), gb = group(b);
    for (const auto& key : ga.order) {
        const auto other = gb.runs.find(key);
        if (other == gb.runs.end()) {
            out.only_a.push_back(key);
            continue;
        }
        const auto& runs_a = ga.runs.at(key);
        const auto& runs_b = other->second;
        cell_comparison cell;
        cell.key = key;
        cell.spread_a = stats::spread_percent(values_of(runs_a, "throughput_rps"));
        cell.spread_b = stats::spread_percent(values_of(runs_b, "throughput_rps"));
        for (const auto& metric : metrics) {
            const auto va = values_of(runs_a, metric.column);
            const auto vb = values_of(runs_b, metric.column);
            if (va.empty() || vb.empty()) continue;
            metric_comparison m;
            m.metric = &metric;
            m.a = stats::median_ci(va);
            m.b = stats::median_ci(vb);
            m.ratio = stats::bootstrap_median_ratio(va, vb);
            m.verdict =
                judge(m.ratio, metric.higher_is_better, threshold_pct, va.size(), vb.size());
            cell.metrics.push_back(m);
        }
        out.cells.push_back(std::move(cell));
    }
    for (const auto& key : gb.order)
        if (!ga.runs.contains(key)) out.only_b.push_back(key);
    return out;
}

}  // namespace robotbench
