#include "json_writer.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "columns.hpp"
#include "duration.hpp"

namespace robotbench {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80           ? 1
                    : (b >> 5) == 0x6  ? 2
                    : (b >> 4) == 0xE  ? 3
                    : (b >> 3) == 0x1E ? 4
                                       : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
    return n;
}

// Writes objects and arrays with two-space indentation. Used by one thread.
class json_out {
  public:
    void open(char bracket) {
        separate();
        text_ += bracket;
        first_.push_back(true);
    }
    void close(char bracket) {
        const bool empty = first_.back();
        first_.pop_back();
        if (!empty) newline();
        text_ += bracket;
    }
    void key(std::string_view name) {
        separate();
        text_ += json_string(name);
        text_ += ": ";
        after_key_ = true;
    }
    void raw(std::string_view literal) {
        separate();
        text_ += literal;
    }
    void string(std::string_view s) { raw(json_string(s)); }
    void number(double v, int places) {
        raw(std::isfinite(v) ? fmt::format("{:.{}f}", v, places) : std::string("null"));
    }
    void count(std::uint64_t n) { raw(fmt::format("{}", n)); }
    void boolean(bool b) { raw(b ? "true" : "false"); }
    void cell_value(const cell& c) {
        if (std::holds_alternative<std::monostate>(c))
            raw("null");
        else if (auto s = std::get_if<std::string>(&c))
            string(*s);
        else if (auto n = std::get_if<std::uint64_t>(&c))
            count(*n);
        else if (auto d = std::get_if<decimal>(&c))
            number(d->value, d->places);
    }
    // A member of the current object: its name, then its value.
    void text(std::string_view name, std::string_view s) {
        key(name);
        string(s);
    }
    void count(std::string_view name, std::uint64_t n) {
        key(name);
        count(n);
    }
    void number(std::string_view name, double v, int places) {
        key(name);
        number(v, places);
    }
    void flag(std::string_view name, bool b) {
        key(name);
        boolean(b);
    }
    void null(std::string_view name) {
        key(name);
        raw("null");
    }

    std::string take() { return std::move(text_) + "\n"; }

  private:
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (first_.empty()) return;
        if (!first_.back()) text_ += ',';
        first_.back() = false;
        newline();
    }
    void newline() {
        text_ += '\n';
        text_.append(2 * first_.size(), ' ');
    }

    std::string text_;
    std::vector<bool> first_;  // per open bracket: nothing written inside it yet
    bool after_key_ = false;
};

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
    j.close('}');
}

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

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        const auto n = utf8_sequence(text, i);
        if (n == 0) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        if (n > 1) {
            out.append(text.substr(i, n));
            i += n;
            continue;
        }
        ++i;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20)
                    out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
                else
                    out += c;
        }
    }
    out += '"';
    return out;
}

std::string runs_json(const environment& env, std::span<const run_record> runs) {
    json_out j;
    j.open('{');
    write_environment(j, env);
    j.key("runs");
    j.open('[');
    for (const auto& r : runs) write_run(j, r);
    j.close(']');
    j.close('}');
    return j.take();
}

void write_json(const std::string& path, const environment& env, std::span<const run_record> runs) {
    namespace fs = std::filesystem;
    if (path == "-") {
        fmt::print("{}", runs_json(env, runs));
        std::fflush(stdout);
        if (std::ferror(stdout)) throw std::runtime_error("cannot write to standard output");
        return;
    }
    const fs::path file(path);
    if (file.has_parent_path()) fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::trunc);
    if (!out) throw std::system_error(errno, std::generic_category(), "open " + path);
    out << runs_json(env, runs);
    out.flush();
    if (!out) throw std::system_error(errno, std::generic_category(), "write " + path);
}

}  // namespace robotbench
