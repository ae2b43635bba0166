#include "compare_command.hpp"

#include <fmt/core.h>

#include "cli.hpp"
#include "compare.hpp"
#include "compare_report.hpp"
#include "text_file.hpp"
#include "output_check.hpp"

namespace robotbench {

void add_compare_options(CLI::App& app, compare_options& o) {
    app.add_option("A", o.a,
                   "the baseline: the CSV or JSON of robotbench run or sweep, or the Google "
                   "Benchmark JSON of scripts/ci-perf.sh")
        ->required();
    app.add_option("B", o.b, "the results compared with it, in any of the same formats")
        ->required();
    add_percent(app, "--threshold", o.threshold_pct,
                "a significant change worse than this percent is a regression (exit status 1)")
        ->default_str("10%");
    app.add_option("--json", o.json_path,
                   "write the comparison as JSON to this file (-: standard output, and the table "
                   "goes to stderr)");
}

int compare_command(const compare_options& o) {
    if (const auto problem = output_problem(o.json_path, true); !problem.empty()) {
        fmt::print(stderr, "robotbench compare: {}\n", problem);
        return 2;
    }
    result_file a, b;
    try {
        a = read_results(o.a);
        b = read_results(o.b);
    } catch (const std::exception& e) {
        fmt::print(stderr, "robotbench compare: {}\n", e.what());
        return 2;
    }
    for (const auto* file : {&a, &b}) {
        if (file->runs.empty()) {
            fmt::print(stderr, "robotbench compare: {}: no run in it measured anything\n",
                       file->path);
            return 2;
        }
    }
    const auto result = compare_results(a, b, o.threshold_pct);
    std::FILE* const to = o.json_path == "-" ? stderr : stdout;
    fmt::print(to, "{}", compare_table(result));
    std::fflush(to);
    if (result.cells.empty()) {
        fmt::print(stderr,
                   "robotbench compare: {} and {} share no cell (backend, connections, "
                   "size, pipeline, rate, scenario)\n",
                   o.a, o.b);
        return 2;
    }
    if (!o.json_path.empty()) {
        try {
            write_text_file(o.json_path, compare_json(result));
        } catch (const std::exception& e) {
            fmt::print(stderr, "robotbench compare: cannot write the JSON: {}\n", e.what());
            return 2;
        }
    }
    return result.count(change::regression) > 0 ? 1 : 0;
}

}  // namespace robotbench
