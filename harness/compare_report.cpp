#include "compare_report.hpp"

#include <fmt/core.h>

#include "cell_summary.hpp"
#include "json_out.hpp"
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

void write_side(json_out& j, std::string_view name, const stats::median_interval& m) {
    j.key(name);
    j.open('{');
    j.number("median", m.median, 3);
    j.number("ci_low", m.low, 3);
    j.number("ci_high", m.high, 3);
    j.number("ci_confidence", m.confidence, 4);
    j.count("runs", m.runs);
    j.close('}');
}

void write_key(json_out& j, const cell_key& k) {
    if (k.backend.empty())
        j.null("backend");
    else
        j.text("backend", k.backend);
    j.text("scenario", k.scenario);
    j.count("connections", k.connections);
    j.count("size_bytes", k.size);
    j.count("pipeline", k.pipeline);
    j.number("rate_rps", k.rate, 1);
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
    json_out j;
    j.open('{');
    j.text("a", c.path_a);
    j.text("b", c.path_b);
    j.number("threshold_pct", c.threshold_pct, 2);
    j.text("method", "bootstrap percentile interval of the ratio of medians");
    j.count("resamples", stats::default_resamples);
    j.count("min_runs_for_significance", min_runs_for_significance);
    j.count("regressions", c.count(change::regression));
    j.count("improvements", c.count(change::improvement));
    j.key("cells");
    j.open('[');
    for (const auto& cell : c.cells) {
        j.open('{');
        write_key(j, cell.key);
        j.number("throughput_spread_a_pct", cell.spread_a, 2);
        j.number("throughput_spread_b_pct", cell.spread_b, 2);
        j.key("metrics");
        j.open('[');
        for (const auto& m : cell.metrics) {
            j.open('{');
            j.text("metric", m.metric->column);
            j.flag("higher_is_better", m.metric->higher_is_better);
            write_side(j, "a", m.a);
            write_side(j, "b", m.b);
            j.number("ratio", m.ratio.ratio, 4);
            j.number("ratio_ci_low", m.ratio.low, 4);
            j.number("ratio_ci_high", m.ratio.high, 4);
            j.flag("significant", m.verdict != change::too_few_runs && m.verdict != change::same);
            j.text("verdict", m.verdict == change::regression
                                  ? "regression"
                                  : std::string(change_name(m.verdict)));
            j.close('}');
        }
        j.close(']');
        j.close('}');
    }
    j.close(']');
    for (const auto& [name, keys] :
         {std::pair{"only_in_a", &c.only_a}, std::pair{"only_in_b", &c.only_b}}) {
        j.key(name);
        j.open('[');
        for (const auto& key : *keys) j.string(cell_text(key));
        j.close(']');
    }
    j.close('}');
    return j.take();
}

}  // namespace robotbench
