#include "sweep_report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "csv_writer.hpp"
#include "json_writer.hpp"
#include "plot_script.hpp"
#include "summary_columns.hpp"
#include "run_outputs.hpp"

namespace robotbench {

namespace {

// The .hgrm files of each backend's cell at the largest connection count every backend served,
// so the lines compare like with like (each backend's largest when they share none), every
// repeat of it under one label so that plot.py merges the repeats, as `--hgrm=LABEL=PATH`.
std::vector<std::string> distribution_args(const sweep_options& options,
                                           const std::vector<run_record>& runs) {
    std::map<unsigned, std::set<std::string>> served;  // connections -> backends that ran them
    std::set<std::string> backends;
    for (const auto& r : runs) {
        backends.insert(r.backend);
        if (r.loaded) served[r.options.load.connections].insert(r.backend);
    }
    unsigned common = 0;
    for (const auto& [connections, who] : served)
        if (who == backends) common = connections;
    std::map<std::string, const run_record*> largest;
    for (const auto& r : runs) {
        if (!r.loaded || (common != 0 && r.options.load.connections != common)) continue;
        auto& best = largest[r.backend];
        if (best == nullptr || r.options.load.connections > best->options.load.connections) best = &r;
    }
    std::vector<std::string> args;
    for (const auto& [backend, r] : largest) {
        const auto& o = r->options;
        const auto same_cell = [&](const run_record& x) {
            return x.backend == backend && x.options.load.connections == o.load.connections &&
                   x.options.load.size == o.load.size && x.options.load.pipeline == o.load.pipeline &&
                   x.options.load.rate == o.load.rate;
        };
        const sweep_cell cell{backend, o.load.connections, o.load.size, o.load.pipeline,
                              o.load.rate};
        const auto repeats =
            static_cast<unsigned>(std::count_if(runs.begin(), runs.end(), same_cell));
        for (unsigned repeat = 1; repeat <= repeats; ++repeat) {
            const auto path = sweep_hgrm_path(options.report_dir, cell, repeat);
            if (std::filesystem::exists(path))
                args.push_back(fmt::format("--hgrm={} ({} conns)={}", backend, o.load.connections, path));
        }
    }
    return args;
}

}  // namespace

bool write_sweep_report(const sweep_options& options, const std::vector<run_record>& runs) {
    const std::string dir = options.report_dir;
    const std::string csv = dir + "/sweep.csv";
    const std::string summary = dir + "/summary.csv";
    const std::string json = dir + "/sweep.json";
    try {
        std::filesystem::create_directories(dir);
        std::filesystem::remove(csv);
        append_csv(csv, runs);
        write_summary_csv(summary, summarize_cells(runs));
        write_json(json, current_environment(), runs);
    } catch (const std::exception& e) {
        fmt::print(stderr, "robotbench sweep: cannot write {}: {}\n", dir, e.what());
        return false;
    }
    std::vector<std::string> args{csv,       "--out",   dir,     "--report",
                                  "--summary", summary, "--json", json};
    for (auto& a : distribution_args(options, runs)) args.push_back(std::move(a));
    if (run_plot_script(args, report_stream(options.base))) {
        fmt::print(report_stream(options.base), "report: {}/REPORT.md\n", dir);
        return true;
    }
    fmt::print(stderr,
               "robotbench sweep: the charts were not drawn; the rows are in {} (run "
               "scripts/plot.py {} --json {} --out {} --report)\n",
               csv, csv, json, dir);
    return false;
}

}  // namespace robotbench
