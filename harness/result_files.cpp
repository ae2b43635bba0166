#include "result_files.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "cell_summary.hpp"

namespace robotbench {

namespace {

// Statuses of runs that measured the server: a run with errors still measured what it got.
bool measured_status(std::string_view status) {
    return status == "ok" || status == "errors" || status == "presence-failed";
}

std::optional<double> to_number(std::string_view text) {
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

// A count from a file: a whole number in range, else `fallback`.
template <typename T>
T count_or(std::optional<double> v, T fallback) {
    if (!v || *v < 0 || *v > static_cast<double>(std::numeric_limits<T>::max()) ||
        *v != std::floor(*v))
        return fallback;
    return static_cast<T>(*v);
}

[[noreturn]] void refuse(const std::string& path, std::string_view why) {
    throw std::runtime_error(fmt::format("{}: {}", path, why));
}

// The figures a comparison may use, from a value lookup by column name.
template <typename Lookup>
void read_figures(result_run& run, Lookup number_of) {
    for (const auto& metric : summary_metrics())
        if (const auto v = number_of(metric.column)) run.figures.emplace(metric.column, *v);
}

result_file from_csv(std::string_view text, const std::string& path) {
    const auto records = parse_csv(text);
    if (records.empty()) refuse(path, "the file is empty");
    const auto& header = records.front();
    const auto column = [&](std::string_view name) -> std::ptrdiff_t {
        const auto at = std::find(header.begin(), header.end(), name);
        return at == header.end() ? -1 : at - header.begin();
    };
    if (column("measured_runs") >= 0)
        refuse(path, "a summary CSV holds medians, not runs: compare the CSVs of the runs");
    std::vector<std::string> missing;
    for (const char* name : {"backend", "scenario", "status", "connections", "size_bytes",
                             "pipeline", "rate_rps", "throughput_rps"})
        if (column(name) < 0) missing.push_back(name);
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        refuse(path, fmt::format("not a robotbench CSV (no column {})", list));
    }
    result_file file{path, "CSV", {}, 0};
    for (std::size_t i = 1; i < records.size(); ++i) {
        const auto& row = records[i];
        if (row.size() == 1 && row.front().empty()) continue;  // a blank line
        if (row.size() != header.size())
            refuse(path, fmt::format("row {} has {} fields, the header {}", i + 1, row.size(),
                                     header.size()));
        const auto field = [&](std::string_view name) -> std::string_view {
            const auto at = column(name);
            return at < 0 ? std::string_view{}
                          : std::string_view(row[static_cast<std::size_t>(at)]);
        };
        const auto number_of = [&](std::string_view name) { return to_number(field(name)); };
        result_run run;
        run.status = std::string(field("status"));
        const auto throughput = number_of("throughput_rps");
        if (!measured_status(run.status) || !throughput || *throughput <= 0) {
            ++file.left_out;
            continue;
        }
        const auto backend = field("backend");
        run.key.backend = backend == "n/a" ? "" : std::string(backend);
        run.key.scenario = std::string(field("scenario"));
        run.key.connections = count_or(number_of("connections"), 0u);
        run.key.size = count_or(number_of("size_bytes"), std::size_t{0});
        run.key.pipeline = count_or(number_of("pipeline"), 1u);
        run.key.rate = number_of("rate_rps").value_or(0);
        read_figures(run, number_of);
        file.runs.push_back(std::move(run));
    }
    return file;
}

// The member `name` of a JSON object as a finite number, or nullopt.
std::optional<double> member_number(const json& object, std::string_view name) {
    const auto it = object.find(std::string(name));
    if (it == object.end() || !it->is_number()) return std::nullopt;
    const auto v = it->get<double>();
    return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

// The member `name` of a JSON object as text, or empty.
std::string member_text(const json& object, std::string_view name) {
    const auto it = object.find(std::string(name));
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

result_file from_robotbench_json(const json& runs, const std::string& path) {
    result_file file{path, "robotbench JSON", {}, 0};
    for (const auto& r : runs) {
        result_run run;
        run.status = member_text(r, "status");
        const auto throughput = member_number(r, "throughput_rps");
        if (!measured_status(run.status) || !throughput || *throughput <= 0) {
            ++file.left_out;
            continue;
        }
        run.key.backend = member_text(r, "backend");
        run.key.scenario = member_text(r, "scenario");
        run.key.connections = count_or(member_number(r, "connections"), 0u);
        run.key.size = count_or(member_number(r, "size_bytes"), std::size_t{0});
        run.key.pipeline = count_or(member_number(r, "pipeline"), 1u);
        run.key.rate = member_number(r, "rate_rps").value_or(0);
        read_figures(run, [&](std::string_view name) { return member_number(r, name); });
        file.runs.push_back(std::move(run));
    }
    return file;
}

// `select/c:8/size:64/P:1` or `.../R:5000`: the cell name scripts/ci_perf.py gives.
std::optional<cell_key> parse_benchmark_name(std::string_view name) {
    cell_key key;
    const auto slash = name.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    key.backend = std::string(name.substr(0, slash));
    if (key.backend == "target") key.backend.clear();
    std::string_view rest = name.substr(slash + 1);
    bool connections = false, size = false;
    while (!rest.empty()) {
        const auto end = std::min(rest.find('/'), rest.size());
        const auto part = rest.substr(0, end);
        rest.remove_prefix(std::min(end + 1, rest.size()));
        const auto colon = part.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        const auto value = to_number(part.substr(colon + 1));
        if (!value || *value < 0 || *value > 1e9) return std::nullopt;
        const auto label = part.substr(0, colon);
        if (label == "c") {
            key.connections = static_cast<unsigned>(*value);
            connections = true;
        } else if (label == "size") {
            key.size = static_cast<std::size_t>(*value);
            size = true;
        } else if (label == "P") {
            key.pipeline = static_cast<unsigned>(*value);
        } else if (label == "R") {
            key.rate = *value;
        } else {
            return std::nullopt;
        }
    }
    if (!connections || !size) return std::nullopt;
    return key;
}

result_file from_benchmark_json(const json& benchmarks, const std::string& path) {
    result_file file{path, "Google Benchmark JSON", {}, 0};
    for (const auto& b : benchmarks) {
        if (member_text(b, "run_type") != "iteration") continue;  // the aggregates
        const auto throughput = member_number(b, "throughput_rps");
        std::string name = member_text(b, "run_name");
        if (name.empty()) name = member_text(b, "name");
        const auto key = parse_benchmark_name(name);
        if (!key || !throughput || *throughput <= 0) {
            ++file.left_out;
            continue;
        }
        result_run run;
        run.key = *key;
        run.status = "ok";
        run.figures.emplace("throughput_rps", *throughput);
        if (const auto p99 = member_number(b, "latency_p99_us"))
            run.figures.emplace("latency_p99_us", *p99);
        file.runs.push_back(std::move(run));
    }
    return file;
}

}  // namespace

std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false, any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        any = true;
        if (quoted) {
            if (c != '"') {
                field += c;
            } else if (i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else {
                quoted = false;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            record.push_back(std::move(field));
            field.clear();
            records.push_back(std::move(record));
            record.clear();
            any = false;
        } else {
            field += c;
        }
    }
    if (any) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
    }
    return records;
}

result_file results_from_text(std::string_view text, const std::string& path) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) refuse(path, "the file is empty");
    if (text[first] != '{') return from_csv(text, path);
    json doc;
    try {
        doc = parse_json(std::string(text));
    } catch (const std::exception& e) {
        refuse(path, e.what());
    }
    if (const auto runs = doc.find("runs"); runs != doc.end() && runs->is_array())
        return from_robotbench_json(*runs, path);
    if (const auto b = doc.find("benchmarks"); b != doc.end() && b->is_array())
        return from_benchmark_json(*b, path);
    refuse(path,
           "a JSON document with neither `runs` (robotbench) nor `benchmarks` (Google "
           "Benchmark, from scripts/ci-perf.sh)");
}

result_file read_results(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) refuse(path, "it is a folder, not a result file");
    std::ifstream in(path, std::ios::binary);
    if (!in) refuse(path, fmt::format("cannot read it: {}", std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) refuse(path, "cannot read it");
    return results_from_text(text.str(), path);
}

}  // namespace robotbench
