// `robotbench sweep` as a user runs it: every cell against a fresh server, one CSV row per run,
// skipped cells reported as skipped with the reason, a closing summary, and the report.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "harness/child_process.hpp"
#include "support/server.hpp"

#include "support/command.hpp"
#include "support/files.hpp"
#include "support/scratch_test.hpp"

namespace robotbench::test {
namespace {

namespace fs = std::filesystem;

// Rows in a CSV file that may not exist yet or be half written; no test failure either way.
std::size_t read_csv_quietly(const fs::path& path) {
    std::ifstream in(path);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    return lines > 0 ? lines - 1 : 0;
}

class sweep_test : public scratch_test {};

TEST_F(sweep_test, two_backends_by_two_cells_write_every_row_and_skip_what_cannot_run) {
    // select cannot hold 2,000 clients (FD_SETSIZE): that cell must be skipped, not crash.
    const auto result = run_robotbench({"sweep", "--backends=select,thread", "--connections=2,2000",
                                        "--duration=200ms", "--warmup=0", "--repeat=1",
                                        "--no-presence", "--csv", (dir_ / "sweep.csv").string()});
    EXPECT_EQ(result.status, 0) << result.output;
    const auto rows = read_csv(dir_ / "sweep.csv");
    ASSERT_EQ(rows.size(), 4u) << result.output;
    std::set<std::string> cells;
    for (const auto& row : rows) {
        const auto cell = row.at("backend") + "/" + row.at("connections");
        cells.insert(cell);
        if (cell == "select/2000") {
            EXPECT_EQ(row.at("status"), "skipped");
            EXPECT_NE(row.at("note").find("FD_SETSIZE"), std::string::npos) << row.at("note");
            EXPECT_EQ(row.at("throughput_rps"), "n/a");
        } else {
            EXPECT_EQ(row.at("status"), "ok") << cell << ": " << row.at("note");
            EXPECT_GT(number(row, "throughput_rps"), 0) << cell;
            EXPECT_EQ(number(row, "errors"), 0) << cell;
        }
    }
    EXPECT_EQ(cells, (std::set<std::string>{"select/2", "select/2000", "thread/2", "thread/2000"}));
    EXPECT_NE(result.output.find("[4/4] thread c=2000"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("skipped: select c=2000"), std::string::npos) << result.output;
}

TEST_F(sweep_test, repeats_each_cell_and_summarises_the_median_with_its_interval) {
    const auto result = run_robotbench(
        {"sweep", "--backends=libuv", "--connections=4", "--duration=200ms", "--warmup=0",
         "--repeat=3", "--no-presence", "--csv", (dir_ / "sweep.csv").string(), "--summary-csv",
         (dir_ / "summary.csv").string(), "--json", (dir_ / "sweep.json").string()});
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_EQ(read_csv(dir_ / "sweep.csv").size(), 3u);
    EXPECT_NE(result.output.find("throughput (median ± CI)"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("[3/3] libuv c=4"), std::string::npos) << result.output;
    const auto summary = read_csv(dir_ / "summary.csv");
    ASSERT_EQ(summary.size(), 1u);
    EXPECT_EQ(number(summary[0], "measured_runs"), 3);
    EXPECT_LE(number(summary[0], "throughput_rps_ci_low"), number(summary[0], "throughput_rps"));
    EXPECT_GE(number(summary[0], "latency_p99_us_ci_high"), number(summary[0], "latency_p99_us"));
    std::ifstream json(dir_ / "sweep.json");
    const std::string doc{std::istreambuf_iterator<char>(json), std::istreambuf_iterator<char>()};
    EXPECT_NE(doc.find("\"summary\": ["), std::string::npos) << doc;
    EXPECT_NE(doc.find("\"latency_p99_us_ci_low\": "), std::string::npos) << doc;
}

TEST_F(sweep_test, impossible_settings_exit_2_and_run_nothing) {
    const auto bad_backend = run_robotbench({"sweep", "--backends=select,nope"});
    EXPECT_EQ(bad_backend.status, 2);
    EXPECT_EQ(bad_backend.lines.size(), 1u) << bad_backend.output;
    EXPECT_NE(bad_backend.output.find("select"), std::string::npos) << bad_backend.output;

    const auto zero = run_robotbench({"sweep", "--connections=0", "--csv",
                                      (dir_ / "never.csv").string()});
    EXPECT_EQ(zero.status, 2);
    EXPECT_FALSE(fs::exists(dir_ / "never.csv"));
}

TEST_F(sweep_test, report_writes_charts_and_one_page) {
    if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "no system python3 for the charts";
    const auto report = dir_ / "report";
    const auto result = run_robotbench({"sweep", "--backends=select,libuv", "--connections=1,4",
                                        "--duration=200ms", "--warmup=0", "--repeat=2",
                                        "--no-presence", "--no-csv", "--report", report.string()});
    EXPECT_EQ(result.status, 0) << result.output;
    for (const auto* chart : {"throughput.png", "latency.png", "cpu_per_request.png",
                              "memory.png", "latency_distribution.png"}) {
        EXPECT_TRUE(fs::exists(report / chart)) << chart << "\n" << result.output;
        if (fs::exists(report / chart)) {
            EXPECT_GT(fs::file_size(report / chart), 5000u) << chart;
        }
    }
    ASSERT_TRUE(fs::exists(report / "REPORT.md")) << result.output;
    EXPECT_EQ(read_csv(report / "sweep.csv").size(), 8u);
    EXPECT_EQ(read_csv(report / "summary.csv").size(), 4u);  // one row per cell
    EXPECT_TRUE(fs::exists(report / "sweep.json")) << result.output;
    // One .hgrm per run, its repeats counted from 1 as `run --repeat` and `--hlog` count them.
    for (const char* cell : {"select-c1-s64-P1", "select-c4-s64-P1", "libuv-c1-s64-P1",
                             "libuv-c4-s64-P1"}) {
        for (const char* repeat : {"-1", "-2"}) {
            const auto hgrm = report / "hgrm" / (std::string(cell) + repeat + ".hgrm");
            EXPECT_TRUE(fs::exists(hgrm)) << hgrm;
        }
        EXPECT_FALSE(fs::exists(report / "hgrm" / (std::string(cell) + "-0.hgrm"))) << cell;
    }
    // What ran, on what, and each cell's medians, from the sweep's own JSON and CSV.
    const auto page = read_file(report / "REPORT.md");
    for (const std::string& expected :
         {std::string("sweep --backends=select,libuv --connections=1,4 --duration=200ms"),
          std::string("- kernel: Linux "), std::string("- compiler: "),
          std::string("| select | 4 | 64 | 1 | closed loop | 2 |"),
          std::string("| libuv | 1 | 64 | 1 | closed loop | 2 |")})
        EXPECT_NE(page.find(expected), std::string::npos) << expected << "\n" << page;
    EXPECT_EQ(page.find("not recorded"), std::string::npos) << page;
}

TEST_F(sweep_test, an_interrupted_sweep_keeps_its_rows_summary_and_report) {
    const auto csv = dir_ / "sweep.csv";
    const auto report = dir_ / "report";
    child_process bench(std::vector<std::string>{
        robotbench_exe(), "sweep", "--backends=select", "--connections=1,2,3,4", "--duration=1s",
        "--warmup=0", "--repeat=1", "--no-presence", "--csv", csv.string(), "--report",
        report.string()});
    // Interrupt once the first cell's row is written.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (read_csv_quietly(csv) < 1 && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::kill(bench.pid(), SIGINT);
    const auto result = collect(bench, std::chrono::seconds(120));
    EXPECT_EQ(result.status, 130) << result.output;
    const auto rows = read_csv(csv);
    ASSERT_GE(rows.size(), 1u) << result.output;
    EXPECT_LT(rows.size(), 4u) << result.output;
    EXPECT_EQ(rows.front().at("status"), "ok");
    std::size_t finished = 0;
    for (const auto& row : rows) finished += row.at("status") == "ok" ? 1 : 0;
    EXPECT_EQ(rows.back().at("status"), "interrupted");
    EXPECT_NE(result.output.find("(interrupted)"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("throughput (median ± CI)"), std::string::npos) << result.output;
    if (fs::exists("/usr/bin/python3")) {
        EXPECT_TRUE(fs::exists(report / "REPORT.md")) << result.output;
        EXPECT_EQ(read_csv(report / "sweep.csv").size(), finished);  // the cells that finished
    }
}

}  // namespace
}  // namespace robotbench::test
