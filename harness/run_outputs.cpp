#include "run_outputs.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "csv_writer.hpp"
#include "text_file.hpp"
#include "json_writer.hpp"
#include "summary_columns.hpp"
#include "timeline.hpp"

namespace robotbench {

bool write_outputs(const run_options& o, const environment& env,
                   const std::vector<run_record>& runs, std::FILE* report) {
    bool ok = true;
    if (!o.csv_path.empty()) {
        try {
            csv_output(o.csv_path).append(runs);
            if (o.csv_path != "-" && !o.quiet)
                fmt::print(report, "CSV: {} row{} appended to {}\n", runs.size(),
                           runs.size() == 1 ? "" : "s", o.csv_path);
        } catch (const std::exception& e) {
            fmt::print(stderr, "robotbench: cannot write the CSV: {}\n", e.what());
            ok = false;
        }
    }
    if (!o.summary_csv_path.empty()) {
        try {
            write_summary_csv(o.summary_csv_path, summarize_cells(runs));
            if (o.summary_csv_path != "-" && !o.quiet)
                fmt::print(report, "Summary CSV: written to {}\n", o.summary_csv_path);
        } catch (const std::exception& e) {
            fmt::print(stderr, "robotbench: cannot write the summary CSV: {}\n", e.what());
            ok = false;
        }
    }
    if (!o.timeline_path.empty()) {
        try {
            write_text_file(o.timeline_path, timeline_csv(runs));
            if (o.timeline_path != "-")
                fmt::print(report, "Timeline: written to {}\n", o.timeline_path);
        } catch (const std::exception& e) {
            fmt::print(stderr, "robotbench: cannot write the timeline: {}\n", e.what());
            ok = false;
        }
    }
    if (!o.json_path.empty()) {
        try {
            write_json(o.json_path, env, runs);
            if (o.json_path != "-" && !o.quiet)
                fmt::print(report, "JSON: written to {}\n", o.json_path);
        } catch (const std::exception& e) {
            fmt::print(stderr, "robotbench: cannot write the JSON: {}\n", e.what());
            ok = false;
        }
    }
    return ok;
}

std::FILE* report_stream(const run_options& o) {
    return o.csv_path == "-" || o.json_path == "-" || o.summary_csv_path == "-" ||
                   o.timeline_path == "-"
               ? stderr
               : stdout;
}

void write_hgrm(const std::string& path, const loadgen::histogram& h) {
    namespace fs = std::filesystem;
    const fs::path file(path);
    if (file.has_parent_path()) fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::trunc);
    if (!out) throw std::system_error(errno, std::generic_category(), "open " + path);
    h.write_hgrm(out);
    out.flush();
    if (!out) throw std::system_error(errno, std::generic_category(), "write " + path);
}

}  // namespace robotbench
