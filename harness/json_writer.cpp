#include "json_writer.hpp"

#include <vector>

#include "columns.hpp"
#include "duration.hpp"
#include "summary_columns.hpp"

namespace robotbench {

json environment_json(const environment& env) {
    return {
        {"robotbench_version", env.version}, {"git_revision", env.git_revision},
        {"build_type", env.build_type},      {"sanitizers", env.sanitizers},
        {"compiler", env.compiler},          {"kernel", env.kernel},
        {"cpu_model", env.cpu_model},        {"cores", env.cores},
        {"command_line", env.command_line},
    };
}

namespace {

json configuration_json(const run_record& r) {
    const auto& o = r.options;
    json j;
    j["backend"] = r.backend.empty() ? json(nullptr) : json(r.backend);
    j["target"] = r.target;
    j["scenario"] = scenario_name(o.kind);
    j["connections"] = o.load.connections;
    j["threads"] = o.load.threads;
    j["server_threads"] = o.server_threads;
    j["server_workers"] = o.server_workers;
    j["server_idle_timeout"] = o.server_idle_timeout.count() > 0
                                   ? json(duration_text(o.server_idle_timeout))
                                   : json(nullptr);
    j["max_line_bytes"] = o.max_line;
    j["size_bytes"] = o.load.size;
    j["pipeline"] = o.load.pipeline;
    j["rate_rps"] = json_number(o.load.rate, 1);
    j["warmup"] = duration_text(o.load.warmup);
    j["duration"] = duration_text(o.load.duration);
    j["timeout"] = duration_text(o.load.timeout);
    j["connect_rate_per_s"] = json_number(o.connect_rate, 1);
    j["requests_per_connection"] = o.requests_per_connection;
    j["idle_interval"] = duration_text(o.idle_interval);
    j["probe_rate_rps"] = json_number(o.probe_rate, 1);
    j["connections_held"] = r.connections_held;
    j["presence_check"] = o.presence_check;
    j["other_clients"] = o.other_clients ? json(*o.other_clients) : json("auto");
    return j;
}

// The "timeline" member of a run: one object per second (docs/usage.md).
json timeline_json(const std::vector<timeline_row>& rows) {
    const auto micros = [](const std::optional<std::uint64_t>& ns) {
        return ns ? json_number(double(*ns) / 1000.0, 3) : json(nullptr);
    };
    json all = json::array();
    for (const auto& t : rows) {
        json row = json::object();
        row["second"] = t.second;
        row["requests"] = t.requests;
        row["throughput_rps"] = json_number(t.throughput_rps, 1);
        row["p50_us"] = micros(t.p50_ns);
        row["p99_us"] = micros(t.p99_ns);
        row["errors"] = t.errors;
        row["online"] = t.online ? json(*t.online) : json(nullptr);
        all.push_back(std::move(row));
    }
    return all;
}

// A distributed run's ranks (mpirun): where each ran, what it drove and what it cost.
json ranks_json(const run_record& r) {
    json all = json::array();
    for (std::size_t i = 0; i < r.ranks.size(); ++i) {
        const auto& rank = r.ranks[i];
        all.push_back({
            {"rank", i},
            {"host", rank.host},
            {"connections", rank.connections},
            {"rate_rps", json_number(rank.rate, 1)},
            {"requests", rank.requests},
            {"generator_cpu_s", json_number(rank.generator_cpu_s, 3)},
            {"generator_window_cpu_s", json_number(rank.generator_window_cpu_s, 3)},
            {"start_offset_us", json_number(rank.start_offset_us, 1)},
        });
    }
    return all;
}

json run_json(const run_record& r) {
    json j = json::object();
    for (const auto& c : columns()) j[c.name] = json_cell(c.value(r));
    j["configuration"] = configuration_json(r);
    if (r.server && r.server->lifetime) {
        const auto& l = *r.server->lifetime;
        j["server_lifetime"] = {
            {"user_cpu_s", json_number(l.user_s, 3)},
            {"sys_cpu_s", json_number(l.sys_s, 3)},
            {"voluntary_switches", l.voluntary_switches},
            {"involuntary_switches", l.involuntary_switches},
            {"max_rss_kib", l.max_rss_kib},
        };
    } else {
        j["server_lifetime"] = nullptr;
    }
    j["generator_user_cpu_s"] =
        r.generator_cpu ? json_number(r.generator_cpu->user_s, 3) : json(nullptr);
    j["generator_sys_cpu_s"] =
        r.generator_cpu ? json_number(r.generator_cpu->sys_s, 3) : json(nullptr);
    j["timeline"] = timeline_json(r.timeline);
    j["generator_ranks"] = ranks_json(r);
    j["presence_note"] = r.presence.note;
    j["presence_failure_details"] = r.presence.details;
    j["problems"] = r.problems;
    j["warnings"] = r.warnings;
    return j;
}

}  // namespace

json runs_document(const environment& env, std::span<const run_record> runs) {
    json doc;
    doc["environment"] = environment_json(env);
    doc["runs"] = json::array();
    for (const auto& r : runs) doc["runs"].push_back(run_json(r));
    doc["summary"] = json::array();
    for (const auto& cell : summarize_cells(runs)) {
        json s = json::object();
        for (const auto& [name, value] : summary_fields(cell)) s[name] = json_cell(value);
        doc["summary"].push_back(std::move(s));
    }
    return doc;
}

std::string runs_json(const environment& env, std::span<const run_record> runs) {
    return json_text(runs_document(env, runs));
}

void write_json(const std::string& path, const environment& env, std::span<const run_record> runs) {
    write_text_file(path, runs_json(env, runs));
}

}  // namespace robotbench
