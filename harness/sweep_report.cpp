#include "sweep_report.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <map>
#include <set>

#include "csv_writer.hpp"
#include "plot_script.hpp"
#include "summary_columns.hpp"
#include "run_outputs.hpp"

namespace robotbench {

namespace {

// The .hgrm file of each backend's cell (first round) at the largest connection count every
// backend served, so the lines compare like with like (each backend's largest when they share
// none), as `--hgrm=LABEL=PATH` arguments for plot.py.
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
        const auto path = fmt::format(
            "{}/hgrm/{}-c{}-s{}-P{}{}-0.hgrm", options.report_dir, backend, r->options.load.connections,
            r->options.load.size, r->options.load.pipeline,
            r->options.load.rate > 0 ? fmt::format("-R{:g}", r->options.load.rate) : "");
        if (std::filesystem::exists(path))
            args.push_back(fmt::format("--hgrm={} ({} conns)={}", backend, r->options.load.connections, path));
    }
    return args;
}

}  // namespace

bool write_sweep_report(const sweep_options& options, const std::vector<run_record>& runs) {
    const std::string dir = options.report_dir;
    const std::string csv = dir + "/sweep.csv";
    const std::string summary = dir + "/summary.csv";
    try {
        std::filesystem::create_directories(dir);
        std::filesystem::remove(csv);
        append_csv(csv, runs);
        write_summary_csv(summary, summarize_cells(runs));
    } catch (const std::exception& e) {
        fmt::print(stderr, "robotbench sweep: cannot write {}: {}\n", dir, e.what());
        return false;
    }
    std::vector<std::string> args{csv, "--out", dir, "--report", "--summary", summary};
    for (auto& a : distribution_args(options, runs)) args.push_back(std::move(a));
    if (run_plot_script(args, report_stream(options.base))) {
        fmt::print(report_stream(options.base), "report: {}/REPORT.md\n", dir);
        return true;
    }
    fmt::print(stderr,
               "robotbench sweep: the charts were not drawn; the rows are in {} (run "
               "scripts/plot.py {} --out {} --report)\n",
               csv, csv, dir);
    return false;
}

}  // namespace robotbench
