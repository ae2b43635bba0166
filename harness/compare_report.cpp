#include "compare_report.hpp"

#include <fmt/core.h>

#include "cell_summary.hpp"
#include "json.hpp"
#include "text_table.hpp"
#include "units.hpp"

namespace robotbench {

namespace {

std::string value_text(const compared_metric& metric, double v) {
    if (metric.column == "throughput_rps") return format_rate(v) + " req/s";
    return format_latency_us(v);
}

std::string side_text(const compared_metric& metric, const stats::median_interval& m) {
    return fmt::format("{} ({})", value_text(metric, m.median), m.runs);
}

json side_json(const stats::median_interval& m) {
    return {
        {"median", json_number(m.median, 3)},
        {"ci_low", json_number(m.low, 3)},
        {"ci_high", json_number(m.high, 3)},
        {"ci_confidence", json_number(m.confidence, 4)},
        {"runs", m.runs},
    };
}

// The cell's members, first in its object.
json key_json(const cell_key& k) {
    return {
        {"backend", k.backend.empty() ? json(nullptr) : json(k.backend)},
        {"scenario", k.scenario},
        {"connections", k.connections},
        {"size_bytes", k.size},
        {"pipeline", k.pipeline},
        {"rate_rps", json_number(k.rate, 1)},
    };
}

}  // namespace

std::string compare_table(const comparison& c) {
    text_table t;
    t.add_row({"cell", "metric", "A (median, runs)", "B (median, runs)", "B/A", "95% interval",
               "verdict"});
    std::vector<std::string> noisy;
    for (const auto& cell : c.cells) {
        bool first = true;
        for (const auto& m : cell.metrics) {
            t.add_row({first ? cell_text(cell.key) : "", std::string(m.metric->label),
                       side_text(*m.metric, m.a), side_text(*m.metric, m.b),
                       fmt::format("{:.3f}", m.ratio.ratio),
                       fmt::format("{:.3f}–{:.3f}", m.ratio.low, m.ratio.high),
                       std::string(change_name(m.verdict))});
            first = false;
        }
        if (cell.spread_a > noisy_spread_percent || cell.spread_b > noisy_spread_percent)
            noisy.push_back(fmt::format("{} (throughput spread A {:.1f}%, B {:.1f}%)",
                                        cell_text(cell.key), cell.spread_a, cell.spread_b));
    }
    std::string out = fmt::format("A: {}\nB: {}\n\n", c.path_a, c.path_b);
    out += t.render();
    out += fmt::format(
        "\nB/A is the ratio of the medians; the interval is a {} bootstrap of it; a change is "
        "significant when the interval excludes 1 (at least {} runs a side), and a regression "
        "when it is also worse by more than {:g}%.\n",
        "95%", min_runs_for_significance, c.threshold_pct);
    for (const auto& key : c.only_a) out += fmt::format("only in A: {}\n", cell_text(key));
    for (const auto& key : c.only_b) out += fmt::format("only in B: {}\n", cell_text(key));
    for (const auto& line : noisy) out += fmt::format("noisy: {}\n", line);
    const auto regressions = c.count(change::regression);
    out += fmt::format("{} regression{} and {} improvement{} past {:g}% in {} cell{} compared\n",
                       regressions, regressions == 1 ? "" : "s", c.count(change::improvement),
                       c.count(change::improvement) == 1 ? "" : "s", c.threshold_pct,
                       c.cells.size(), c.cells.size() == 1 ? "" : "s");
    return out;
}

std::string compare_json(const comparison& c) {
    json doc;
    doc["a"] = c.path_a;
    doc["b"] = c.path_b;
    doc["threshold_pct"] = json_number(c.threshold_pct, 2);
    doc["method"] = "bootstrap percentile interval of the ratio of medians";
    doc["resamples"] = stats::default_resamples;
    doc["min_runs_for_significance"] = min_runs_for_significance;
    doc["regressions"] = c.count(change::regression);
    doc["improvements"] = c.count(change::improvement);
    doc["cells"] = json::array();
    for (const auto& cell : c.cells) {
        json j = key_json(cell.key);
        j["throughput_spread_a_pct"] = json_number(cell.spread_a, 2);
        j["throughput_spread_b_pct"] = json_number(cell.spread_b, 2);
        j["metrics"] = json::array();
        for (const auto& m : cell.metrics) {
            j["metrics"].push_back({
                {"metric", m.metric->column},
                {"higher_is_better", m.metric->higher_is_better},
                {"a", side_json(m.a)},
                {"b", side_json(m.b)},
                {"ratio", json_number(m.ratio.ratio, 4)},
                {"ratio_ci_low", json_number(m.ratio.low, 4)},
                {"ratio_ci_high", json_number(m.ratio.high, 4)},
                {"significant", m.verdict != change::too_few_runs && m.verdict != change::same},
                {"verdict", m.verdict == change::regression ? std::string("regression")
                                                            : std::string(change_name(m.verdict))},
            });
        }
        doc["cells"].push_back(std::move(j));
    }
    for (const auto& [name, keys] :
         {std::pair{"only_in_a", &c.only_a}, std::pair{"only_in_b", &c.only_b}}) {
        doc[name] = json::array();
        for (const auto& key : *keys) doc[name].push_back(cell_text(key));
    }
    return json_text(doc);
}

}  // namespace robotbench
