#include "run_files.hpp"

#include <fmt/core.h>

#include <chrono>
#include <exception>

#include "cell_summary.hpp"
#include "hlog.hpp"
#include "loadgen/intervals.hpp"
#include "output_check.hpp"
#include "run_outputs.hpp"

namespace robotbench {

std::string per_run_path(const std::string& path, const run_options& o, std::size_t backends,
                         const std::string& backend, unsigned round) {
    if (path.empty()) return {};
    std::string out = backends > 1 ? per_backend_path(path, backend) : path;
    if (planned_runs(o.repeat, o) > 1) out = per_backend_path(out, std::to_string(round + 1));
    return out;
}

std::string hgrm_path_for(const run_options& o, std::size_t backends, const std::string& backend,
                          unsigned round) {
    return per_run_path(o.hgrm_path, o, backends, backend, round);
}

bool outputs_usable(const run_options& o, const std::vector<std::string>& names) {
    std::vector<std::string> hgrm;
    for (const auto& name : names)
        for (unsigned round = 0; round < planned_runs(o.repeat, o); ++round) {
            hgrm.push_back(hgrm_path_for(o, names.size(), name, round));
            hgrm.push_back(per_run_path(o.hlog_path, o, names.size(), name, round));
        }
    auto problem = outputs_problem(o.csv_path, o.json_path, hgrm);
    if (problem.empty()) problem = output_problem(o.summary_csv_path, true);
    if (problem.empty()) problem = output_problem(o.timeline_path, true);
    if (!problem.empty()) {
        fmt::print(stderr, "robotbench: {}\n", problem);
        return false;
    }
    return true;
}

void write_run_hgrm(run_record& r, const std::string& path, const loadgen::histogram& latency) {
    if (path.empty()) return;
    try {
        write_hgrm(path, latency);
    } catch (const std::exception& e) {
        r.problems.push_back(fmt::format("cannot write the .hgrm file: {}", e.what()));
    }
}

void write_run_hlog(run_record& r, const loadgen::load_result& result) {
    if (r.options.hlog_path.empty()) return;
    // The wall-clock time the measured window opened (under mpirun: rank 0's).
    const auto opened = std::chrono::system_clock::now() -
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            std::chrono::steady_clock::now() - result.window_begin);
    const auto per_line =
        static_cast<std::size_t>(r.options.hlog_interval / record_interval(r.options));
    const auto comment =
        fmt::format("Logged with robotbench {}: {} c={} size={} P={} R={:g}, values in ns",
                    r.git_revision, r.backend.empty() ? r.target : r.backend,
                    r.options.load.connections, r.options.load.size, r.options.load.pipeline,
                    r.options.load.rate);
    try {
        write_hlog(r.options.hlog_path, loadgen::coarsen(result.intervals, per_line), opened,
                   comment);
    } catch (const std::exception& e) {
        r.problems.push_back(fmt::format("cannot write the interval log: {}", e.what()));
    }
}

}  // namespace robotbench
