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

void write_interval(json_out& j, std::string_view prefix,
                    const std::optional<stats::median_interval>& m) {
    const std::string p(prefix);
    if (!m) {
        for (const auto* suffix : {"", "_ci_low", "_ci_high"}) j.null(p + suffix);
        j.null("ci_confidence");
        return;
    }
    j.number(p, m->median, 1);
    j.number(p + "_ci_low", m->low, 1);
    j.number(p + "_ci_high", m->high, 1);
    j.number("ci_confidence", m->confidence, 4);
}

void optional_number(json_out& j, std::string_view name, const std::optional<double>& v) {
    if (v)
        j.number(name, *v, 1);
    else
        j.null(name);
}

void write_settings(json_out& j, const slo_options& o) {
    const auto& b = o.base;
    j.key("settings");
    j.open('{');
    j.text("percentile", percentile_label(*o.percentile));
    j.number("target_us", target_us(o), 1);
    j.count("repeat", b.repeat);
    j.number("resolution_pct", o.search.resolution_pct, 2);
    j.count("max_steps", o.search.max_steps);
    j.number("min_rate_rps", o.search.min_rate, 1);
    j.number("start_rate_rps", o.search.start_rate, 1);
    j.count("connections", b.connections);
    j.count("threads", b.threads);
    j.count("size_bytes", b.size);
    j.text("warmup", duration_text(b.warmup));
    j.text("duration", duration_text(b.duration));
    j.text("timeout", duration_text(b.timeout));
    j.flag("presence_check", b.presence_check);
    j.close('}');
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
    json_out j;
    j.open('{');
    write_environment(j, env);
    write_settings(j, o);
    j.key("backends");
    j.open('[');
    for (const auto& r : results) {
        j.open('{');
        if (r.backend.empty())
            j.null("backend");
        else
            j.text("backend", r.backend);
        j.text("target", r.target);
        optional_number(j, "closed_loop_throughput_rps", r.closed_loop_rps);
        optional_number(j, "sustainable_rate_rps", r.sustainable);
        optional_number(j, "breaking_rate_rps", r.breaking);
        j.key("at_sustainable");
        const auto* at = r.sustainable_step();
        if (at) {
            j.open('{');
            write_interval(j, "percentile_us", at->percentile_us);
            j.close('}');
        } else {
            j.raw("null");
        }
        j.count("steps_used", r.steps.size());
        j.text("stop_reason", r.stop_reason);
        j.flag("interrupted", r.interrupted);
        j.key("problems");
        j.open('[');
        for (const auto& p : r.problems) j.string(p);
        j.close(']');
        j.key("steps");
        j.open('[');
        for (const auto& s : r.steps) {
            j.open('{');
            j.count("step", s.index);
            j.number("rate_rps", s.rate, 1);
            j.count("runs", s.runs);
            write_interval(j, "percentile_us", s.percentile_us);
            optional_number(j, "throughput_rps", s.throughput);
            j.count("errors", s.errors);
            j.text("presence", s.presence);
            j.flag("generator_bottleneck", s.generator_bound);
            j.flag("passed", s.passed);
            j.text("note", s.note);
            j.close('}');
        }
        j.close(']');
        j.close('}');
    }
    j.close(']');
    j.close('}');
    return j.take();
}

}  // namespace robotbench
