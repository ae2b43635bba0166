#include "json_writer.hpp"

#include <fmt/core.h>

#include <cmath>
#include <vector>

#include "columns.hpp"
#include "duration.hpp"
#include "json_out.hpp"
#include "summary_columns.hpp"

namespace robotbench {

void write_environment(json_out& j, const environment& env) {
    j.key("environment");
    j.open('{');
    j.text("robotbench_version", env.version);
    j.text("git_revision", env.git_revision);
    j.text("build_type", env.build_type);
    j.text("sanitizers", env.sanitizers);
    j.text("compiler", env.compiler);
    j.text("kernel", env.kernel);
    j.text("cpu_model", env.cpu_model);
    j.count("cores", env.cores);
    j.text("command_line", env.command_line);
    j.close('}');
}

namespace {

void write_configuration(json_out& j, const run_record& r) {
    const auto& o = r.options;
    j.key("configuration");
    j.open('{');
    if (r.backend.empty())
        j.null("backend");
    else
        j.text("backend", r.backend);
    j.text("target", r.target);
    j.text("scenario", scenario_name(o.kind));
    j.count("connections", o.connections);
    j.count("threads", o.threads);
    j.count("server_threads", o.server_threads);
    j.count("server_workers", o.server_workers);
    if (o.server_idle_timeout.count() > 0)
        j.text("server_idle_timeout", duration_text(o.server_idle_timeout));
    else
        j.null("server_idle_timeout");
    j.count("max_line_bytes", o.max_line);
    j.count("size_bytes", o.size);
    j.count("pipeline", o.pipeline);
    j.number("rate_rps", o.rate, 1);
    j.text("warmup", duration_text(o.warmup));
    j.text("duration", duration_text(o.duration));
    j.text("timeout", duration_text(o.timeout));
    j.number("connect_rate_per_s", o.connect_rate, 1);
    j.count("requests_per_connection", o.requests_per_connection);
    j.text("idle_interval", duration_text(o.idle_interval));
    j.number("probe_rate_rps", o.probe_rate, 1);
    j.count("connections_held", r.connections_held);
    j.flag("presence_check", o.presence_check);
    if (o.other_clients)
        j.count("other_clients", static_cast<std::uint64_t>(*o.other_clients));
    else
        j.text("other_clients", "auto");
    j.close('}');
}

void write_strings(json_out& j, std::string_view name, const std::vector<std::string>& lines) {
    j.key(name);
    j.open('[');
    for (const auto& line : lines) j.string(line);
    j.close(']');
}

void write_run(json_out& j, const run_record& r) {
    j.open('{');
    for (const auto& c : columns()) {
        j.key(c.name);
        j.cell_value(c.value(r));
    }
    write_configuration(j, r);
    j.key("server_lifetime");
    if (r.server && r.server->lifetime) {
        const auto& l = *r.server->lifetime;
        j.open('{');
        j.number("user_cpu_s", l.user_s, 3);
        j.number("sys_cpu_s", l.sys_s, 3);
        j.count("voluntary_switches", l.voluntary_switches);
        j.count("involuntary_switches", l.involuntary_switches);
        j.count("max_rss_kib", l.max_rss_kib);
        j.close('}');
    } else {
        j.raw("null");
    }
    if (r.generator_cpu) {
        j.number("generator_user_cpu_s", r.generator_cpu->user_s, 3);
        j.number("generator_sys_cpu_s", r.generator_cpu->sys_s, 3);
    } else {
        j.null("generator_user_cpu_s");
        j.null("generator_sys_cpu_s");
    }
    j.text("presence_note", r.presence.note);
    write_strings(j, "presence_failure_details", r.presence.details);
    write_strings(j, "problems", r.problems);
    write_strings(j, "warnings", r.warnings);
    j.close('}');
}

}  // namespace

std::string runs_json(const environment& env, std::span<const run_record> runs) {
    json_out j;
    j.open('{');
    write_environment(j, env);
    j.key("runs");
    j.open('[');
    for (const auto& r : runs) write_run(j, r);
    j.close(']');
    j.key("summary");
    j.open('[');
    for (const auto& cell : summarize_cells(runs)) {
        j.open('{');
        for (const auto& [name, value] : summary_fields(cell)) {
            j.key(name);
            j.cell_value(value);
        }
        j.close('}');
    }
    j.close(']');
    j.close('}');
    return j.take();
}

void write_json(const std::string& path, const environment& env, std::span<const run_record> runs) {
    write_text_file(path, runs_json(env, runs));
}

}  // namespace robotbench
