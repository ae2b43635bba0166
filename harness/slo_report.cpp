#include "slo_report.hpp"

#include <fmt/core.h>

#include "csv_writer.hpp"
#include "duration.hpp"
#include "json_writer.hpp"
#include "text_table.hpp"
#include "units.hpp"

namespace robotbench {

namespace {

using u64 = std::uint64_t;

// `820 µs ± 30.0 µs`: the median and the larger distance to an end of its interval; one run
// has no interval.
std::string percentile_text(const stats::median_interval& m) {
    if (m.runs < 2) return format_latency_us(m.median);
    return format_latency_plus_minus(m.median * 1e3,
                                     std::max(m.median - m.low, m.high - m.median) * 1e3);
}

std::string rate_text(const std::optional<double>& rate) {
    return rate ? format_rate(*rate) + " req/s" : "none";
}

std::string name_of(const slo_result& r) {
    return r.backend.empty() ? r.target : r.backend;
}

double target_us(const slo_options& o) {
    return static_cast<double>(o.target.count()) / 1e3;
}

// The fields of one step's CSV row, in header order.
std::vector<std::pair<std::string, cell>> step_fields(const slo_result& r, const slo_step& s,
                                                      const slo_options& o,
                                                      const environment& env) {
    const auto& p = s.percentile_us;
    return {
        {"backend", r.backend.empty() ? cell{} : cell{r.backend}},
        {"target", r.target},
        {"percentile", std::string(percentile_label(*o.percentile))},
        {"target_us", decimal{target_us(o), 1}},
        {"step", u64{s.index}},
        {"rate_rps", decimal{s.rate, 1}},
        {"runs", u64{s.runs}},
        {"percentile_us", p ? cell{decimal{p->median, 1}} : cell{}},
        {"percentile_ci_low_us", p ? cell{decimal{p->low, 1}} : cell{}},
        {"percentile_ci_high_us", p ? cell{decimal{p->high, 1}} : cell{}},
        {"ci_confidence", p ? cell{decimal{p->confidence, 4}} : cell{}},
        {"throughput_rps", s.throughput ? cell{decimal{*s.throughput, 1}} : cell{}},
        {"errors", u64{s.errors}},
        {"presence", s.presence},
        {"generator_bottleneck", std::string(s.generator_bound ? "yes" : "no")},
        {"passed", std::string(s.passed ? "yes" : "no")},
        {"sustainable_rate_rps", r.sustainable ? cell{decimal{*r.sustainable, 1}} : cell{}},
        {"note", s.note},
        {"machine", fmt::format("{} ({} cores)", env.cpu_model, env.cores)},
        {"git_revision", env.git_revision},
    };
}

// `prefix`, its interval and the interval's confidence, as members of `j`; null when absent.
void add_interval(json& j, const std::string& prefix,
                  const std::optional<stats::median_interval>& m) {
    j[prefix] = m ? json_number(m->median, 1) : json(nullptr);
    j[prefix + "_ci_low"] = m ? json_number(m->low, 1) : json(nullptr);
    j[prefix + "_ci_high"] = m ? json_number(m->high, 1) : json(nullptr);
    j["ci_confidence"] = m ? json_number(m->confidence, 4) : json(nullptr);
}

json settings_json(const slo_options& o) {
    const auto& b = o.base;
    return {
        {"percentile", percentile_label(*o.percentile)},
        {"target_us", json_number(target_us(o), 1)},
        {"repeat", b.repeat},
        {"resolution_pct", json_number(o.search.resolution_pct, 2)},
        {"max_steps", o.search.max_steps},
        {"min_rate_rps", json_number(o.search.min_rate, 1)},
        {"start_rate_rps", json_number(o.search.start_rate, 1)},
        {"connections", b.load.connections},
        {"threads", b.load.threads},
        {"size_bytes", b.load.size},
        {"warmup", duration_text(b.load.warmup)},
        {"duration", duration_text(b.load.duration)},
        {"timeout", duration_text(b.load.timeout)},
        {"presence_check", b.presence_check},
    };
}

}  // namespace

std::string_view percentile_label(slo_percentile p) {
    switch (p) {
        case slo_percentile::p50:
            return "p50";
        case slo_percentile::p99:
            return "p99";
        case slo_percentile::p999:
            return "p99.9";
    }
    return "?";
}

std::string_view percentile_column(slo_percentile p) {
    switch (p) {
        case slo_percentile::p50:
            return "latency_p50_us";
        case slo_percentile::p99:
            return "latency_p99_us";
        case slo_percentile::p999:
            return "latency_p999_us";
    }
    return "?";
}

std::uint64_t percentile_ns(const run_record& r, slo_percentile p) {
    switch (p) {
        case slo_percentile::p50:
            return r.latency.p50;
        case slo_percentile::p99:
            return r.latency.p99;
        case slo_percentile::p999:
            return r.latency.p999;
    }
    return 0;
}

const slo_step* slo_result::sustainable_step() const {
    if (!sustainable) return nullptr;
    for (const auto& s : steps)
        if (s.passed && s.rate == *sustainable) return &s;
    return nullptr;
}

std::string slo_step_line(const slo_step& s, const slo_options& o) {
    std::string line = fmt::format("  step {}: {} req/s  {} {}", s.index, format_rate(s.rate),
                                   percentile_label(*o.percentile),
                                   s.percentile_us ? percentile_text(*s.percentile_us) : "n/a");
    line += fmt::format(" ({} run{})  achieved {}  errors {}  presence {}", s.runs,
                        s.runs == 1 ? "" : "s",
                        s.throughput ? format_rate(*s.throughput) + " req/s" : "n/a",
                        format_count(s.errors), s.presence);
    if (s.generator_bound) line += "  generator-bound";
    line += s.passed ? fmt::format("  -> meets {}", format_latency(o.target.count()))
                     : fmt::format("  -> fails{}", s.note.empty() ? "" : ": " + s.note);
    return line;
}

std::string slo_table(const std::vector<slo_result>& results, const slo_options& o) {
    const auto label = percentile_label(*o.percentile);
    text_table t;
    t.add_row({"backend", "sustainable", "fails at", fmt::format("{} at sustainable", label),
               "closed loop", "steps", "ended"});
    for (const auto& r : results) {
        const auto* at = r.sustainable_step();
        std::string ended = r.stop_reason;
        if (!r.problems.empty()) ended = r.problems.front();
        t.add_row({name_of(r), rate_text(r.sustainable), rate_text(r.breaking),
                   at && at->percentile_us ? percentile_text(*at->percentile_us) : "n/a",
                   rate_text(r.closed_loop_rps), format_count(r.steps.size()), ended});
    }
    return t.render() +
           fmt::format(
               "Sustainable: the highest offered rate whose median {} over {} run{} stayed at or "
               "under {} with no errors; the target breaks between it and `fails at`.\n",
               label, o.base.repeat, o.base.repeat == 1 ? "" : "s",
               format_latency(o.target.count()));
}

void write_slo_steps_csv(const std::string& path, const std::vector<slo_result>& results,
                         const slo_options& o, const environment& env) {
    std::string text;
    bool header = false;
    const auto add = [&](const std::vector<std::pair<std::string, cell>>& fields) {
        std::string names, values;
        for (const auto& [name, value] : fields) {
            names += (names.empty() ? "" : ",") + name;
            values += (values.empty() ? "" : ",") + csv_field(value);
        }
        if (!header) text += names + "\n";
        header = true;
        text += values + "\n";
    };
    for (const auto& r : results)
        for (const auto& s : r.steps) add(step_fields(r, s, o, env));
    if (!header) {  // no step ran: the header alone
        std::string names;
        slo_result none;
        for (const auto& [name, value] : step_fields(none, slo_step{}, o, env))
            names += (names.empty() ? "" : ",") + name;
        text = names + "\n";
    }
    write_text_file(path, text);
}

std::string slo_json(const std::vector<slo_result>& results, const slo_options& o,
                     const environment& env) {
    json doc;
    doc["environment"] = environment_json(env);
    doc["settings"] = settings_json(o);
    doc["backends"] = json::array();
    for (const auto& r : results) {
        json j;
        j["backend"] = r.backend.empty() ? json(nullptr) : json(r.backend);
        j["target"] = r.target;
        j["closed_loop_throughput_rps"] = json_number(r.closed_loop_rps, 1);
        j["sustainable_rate_rps"] = json_number(r.sustainable, 1);
        j["breaking_rate_rps"] = json_number(r.breaking, 1);
        j["at_sustainable"] = nullptr;
        if (const auto* at = r.sustainable_step()) {
            j["at_sustainable"] = json::object();
            add_interval(j["at_sustainable"], "percentile_us", at->percentile_us);
        }
        j["steps_used"] = r.steps.size();
        j["stop_reason"] = r.stop_reason;
        j["interrupted"] = r.interrupted;
        j["problems"] = r.problems;
        j["steps"] = json::array();
        for (const auto& s : r.steps) {
            json step;
            step["step"] = s.index;
            step["rate_rps"] = json_number(s.rate, 1);
            step["runs"] = s.runs;
            add_interval(step, "percentile_us", s.percentile_us);
            step["throughput_rps"] = json_number(s.throughput, 1);
            step["errors"] = s.errors;
            step["presence"] = s.presence;
            step["generator_bottleneck"] = s.generator_bound;
            step["passed"] = s.passed;
            step["note"] = s.note;
            j["steps"].push_back(std::move(step));
        }
        doc["backends"].push_back(std::move(j));
    }
    return json_text(doc);
}

}  // namespace robotbench
