// The closing table of a sweep or of repeated runs: per cell, the median of throughput and p99
// with their confidence intervals, the spread of the repeats, and the noisy cells flagged.

#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "cell_summary.hpp"
#include "sweep.hpp"
#include "text_table.hpp"
#include "units.hpp"

namespace robotbench {

namespace {

// The larger distance from the median to an end of its interval: `median ± this` holds it.
double deviation(const stats::median_interval& m) {
    return std::max(m.median - m.low, m.high - m.median);
}

std::string spread_text(const cell_summary& s) {
    if (s.measured < 2) return "n/a";
    return fmt::format("{:.1f}%{}", s.throughput_spread_pct, s.noisy() ? " noisy" : "");
}

// One line per distinct run count: how sure the ± is.
std::string confidence_note(const std::vector<cell_summary>& cells) {
    std::map<std::size_t, double> confidence;  // measured runs -> the interval's coverage
    for (const auto& s : cells)
        if (s.throughput() && s.measured > 1) confidence[s.measured] = s.throughput()->confidence;
    if (confidence.empty()) return {};
    std::string which;
    for (const auto& [runs, c] : confidence)
        which += fmt::format("{}{} runs: {:.1f}%", which.empty() ? "" : ", ", runs, 100 * c);
    return fmt::format(
        "± bounds the median's confidence interval (exact, from the order statistics; {}; 95% "
        "takes at least {} runs)\n",
        which, stats::runs_for());
}

}  // namespace

std::string sweep_summary(const std::vector<run_record>& runs) {
    const auto cells = summarize_cells(runs);
    text_table table;
    table.add_row({"backend", "conns", "size", "P", "rate", "runs", "throughput (median ± CI)",
                   "p99 (median ± CI)", "spread", "status"});
    bool any_noisy = false;
    for (const auto& s : cells) {
        const auto& k = s.key;
        std::vector<std::string> row{k.backend.empty() ? s.target : k.backend,
                                     format_count(k.connections),
                                     fmt::format("{} B", k.size),
                                     format_count(k.pipeline),
                                     k.rate > 0 ? format_rate(k.rate) + " req/s" : "closed",
                                     format_count(s.runs)};
        const auto tput = s.throughput();
        const auto p99 = s.metric("latency_p99_us");
        if (!tput || !p99) {
            row.insert(row.end(), {"n/a", "n/a", "n/a"});
        } else {
            if (s.measured < 2) {  // one run has no interval
                row.push_back(format_rate(tput->median) + " req/s");
                row.push_back(format_latency_us(p99->median));
            } else {
                row.push_back(format_plus_minus(tput->median, deviation(*tput)) + " req/s");
                row.push_back(format_latency_plus_minus(p99->median * 1e3, deviation(*p99) * 1e3));
            }
            row.push_back(spread_text(s));
        }
        any_noisy = any_noisy || (s.measured > 1 && s.noisy());
        row.push_back(s.statuses);
        table.add_row(std::move(row));
    }
    std::string text = table.render();
    text += confidence_note(cells);
    if (any_noisy)
        text += fmt::format(
            "noisy: the cell's throughput repeats spread more than {:.0f}% ((max − min) / "
            "median); look at the load_average_1m and generator_bottleneck columns\n",
            noisy_spread_percent);
    for (const auto& s : cells)
        if (!s.skipped.empty())
            text +=
                fmt::format("skipped: {} c={}: {}\n", s.key.backend, s.key.connections, s.skipped);
    return text;
}

}  // namespace robotbench
