#include "summary_columns.hpp"

#include "csv_writer.hpp"
#include "text_file.hpp"

namespace robotbench {

namespace {

using u64 = std::uint64_t;

// Throughput keeps one decimal, latencies (µs) one as in the run CSV.
cell number(double v) {
    return decimal{v, 1};
}

std::string row_text(const std::vector<std::pair<std::string, cell>>& fields, bool names) {
    std::string line;
    for (const auto& [name, value] : fields) {
        if (!line.empty()) line += ',';
        line += names ? name : csv_field(value);
    }
    return line;
}

}  // namespace

std::vector<std::pair<std::string, cell>> summary_fields(const cell_summary& s) {
    const auto& k = s.key;
    const auto tput = s.throughput();
    std::vector<std::pair<std::string, cell>> f{
        {"backend", k.backend.empty() ? cell{} : cell{k.backend}},
        {"target", s.target.empty() ? cell{} : cell{s.target}},
        {"scenario", k.scenario},
        {"connections", u64{k.connections}},
        {"size_bytes", u64{k.size}},
        {"pipeline", u64{k.pipeline}},
        {"rate_rps", decimal{k.rate, 1}},
        {"runs", u64{s.runs}},
        {"measured_runs", u64{s.measured}},
        {"status", s.statuses},
        {"ci_confidence", tput ? cell{decimal{tput->confidence, 4}} : cell{}},
        {"throughput_spread_pct",
         s.measured > 1 ? cell{decimal{s.throughput_spread_pct, 2}} : cell{}},
        {"noisy", s.measured > 1 ? cell{std::string(s.noisy() ? "yes" : "no")} : cell{}},
    };
    for (const auto& metric : summary_metrics()) {
        const auto m = s.metric(metric.column);
        const std::string name(metric.column);
        f.emplace_back(name, m ? number(m->median) : cell{});
        f.emplace_back(name + "_ci_low", m ? number(m->low) : cell{});
        f.emplace_back(name + "_ci_high", m ? number(m->high) : cell{});
    }
    f.emplace_back("note", s.skipped);
    return f;
}

std::string summary_csv_header() {
    return row_text(summary_fields(cell_summary{}), true);
}

void write_summary_csv(const std::string& path, std::span<const cell_summary> cells) {
    std::string text = summary_csv_header() + "\n";
    for (const auto& s : cells) text += row_text(summary_fields(s), false) + "\n";
    write_text_file(path, text);
}

}  // namespace robotbench
