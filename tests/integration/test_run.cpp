// The benchmark run as a user drives it: the real robotbench binary started with flags, its exit
// status, its report, and the CSV and JSON files it writes, against every backend (robotbench
// starts the server itself). Runs against servers that misbehave on purpose are in
// test_run_fake.cpp, impossible settings in test_run_usage.cpp, Ctrl-C in test_run_interrupt.cpp.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <thread>

#include "harness/child_process.hpp"
#include "harness/columns.hpp"
#include "support/backends.hpp"
#include "support/command.hpp"
#include "support/csv_columns.hpp"
#include "support/files.hpp"
#include "support/run_test.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class run_backend : public run_test, public ::testing::WithParamInterface<std::string> {
  protected:
    void SetUp() override {
        if (const auto why = backend_unavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
        run_test::SetUp();
    }
};

TEST_P(run_backend, a_short_run_is_clean_and_writes_its_row_and_json) {
    const auto& backend = GetParam();
    const auto result = run_robotbench(short_run({"run", "--backend=" + backend}));
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find(backend + " backend"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("Result"), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find("FAILED"), std::string::npos) << result.output;

    std::size_t rows = 0;
    const auto row = last_csv_row(dir_ / "runs.csv", &rows);
    EXPECT_EQ(rows, 1u);
    for (const auto& column : promised_columns) EXPECT_TRUE(row.count(column)) << column;
    EXPECT_EQ(row.at("backend"), backend);
    EXPECT_EQ(row.at("status"), "ok");
    EXPECT_EQ(row.at("scenario"), "load");
    EXPECT_EQ(number(row, "connections"), 8);
    EXPECT_EQ(number(row, "errors"), 0);
    EXPECT_GT(number(row, "requests"), 0);
    EXPECT_GT(number(row, "throughput_rps"), 0);
    EXPECT_GT(number(row, "latency_p50_us"), 0);
    EXPECT_LE(number(row, "latency_p50_us"), number(row, "latency_p99_us"));
    EXPECT_LE(number(row, "latency_p99_us"), number(row, "latency_max_us"));
    EXPECT_EQ(row.at("presence"), "passed");
    EXPECT_GT(number(row, "presence_checks"), 0);
    EXPECT_EQ(number(row, "presence_failures"), 0);
    // The server's cost was measured (robotbench started it).
    EXPECT_GT(number(row, "server_user_cpu_s") + number(row, "server_sys_cpu_s"), 0);
    EXPECT_GT(number(row, "server_peak_memory_kib"), 0);
    EXPECT_GE(number(row, "server_peak_processes"), 1);
    EXPECT_GT(number(row, "generator_cpu_s"), 0);
    // What may have disturbed the numbers is recorded with them.
    EXPECT_GE(number(row, "load_average_1m"), 0);
    EXPECT_TRUE(row.at("generator_bottleneck") == "yes" || row.at("generator_bottleneck") == "no")
        << row.at("generator_bottleneck");
    EXPECT_NE(result.output.find("load average"), std::string::npos) << result.output;

    const auto json = read_file(dir_ / "runs.json");
    for (const std::string& expected : std::vector<std::string>{
             "\"environment\": {", "\"kernel\": ", "\"cpu_model\": ", "\"cores\": ",
             "\"compiler\": ", "\"build_type\": ", "\"runs\": [",
             " run --backend=" + backend + " ",  // the command line, in the environment
             "\"backend\": \"" + backend + "\"", "\"errors\": 0", "\"presence\": \"passed\"",
             "\"configuration\": {", "\"connections\": 8", "\"duration\": \"500ms\"",
             "\"warmup\": \"200ms\"", "\"summary\": [", "\"throughput_rps_ci_low\": ",
             "\"load_average_1m\": "})
        EXPECT_NE(json.find(expected), std::string::npos) << expected << "\n" << json;
}

TEST_P(run_backend, idle_scenario_holds_connections_and_reports_memory_per_connection) {
    const auto& backend = GetParam();
    const auto result = run_robotbench(
        {"run", "--backend=" + backend, "--scenario=idle", "-c", "300", "--server-workers=320",
         "--idle-interval=200ms", "-d", "1s", "--warmup", "200ms",
         "--csv=" + (dir_ / "runs.csv").string(), "--json=" + (dir_ / "runs.json").string()});
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("300 idle connections"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("Memory/connection"), std::string::npos) << result.output;
    const auto row = last_csv_row(dir_ / "runs.csv");
    EXPECT_EQ(row.at("scenario"), "idle");
    EXPECT_EQ(row.at("status"), "ok");
    EXPECT_EQ(number(row, "errors"), 0);
    // Every idle connection sent about five requests (one per 200 ms over the 1.2 s run) besides
    // the probes' 200/s: all of them were answered and checked.
    EXPECT_GT(number(row, "requests"), 300 * 3);
    EXPECT_GT(number(row, "latency_p50_us"), 0);
    EXPECT_EQ(row.at("presence"), "passed");
    // Memory per connection is measured: numbers, never missing. Their size is not asserted:
    // 300 connections barely move a server's memory, and the kernel's is read system-wide, where
    // whatever else the machine does at the same time can outweigh them.
    for (const char* column :
         {"server_memory_per_connection_kib", "kernel_memory_per_connection_kib"}) {
        EXPECT_NE(row.at(column), "n/a") << column;
        number(row, column);  // fails the test unless a number
    }
    EXPECT_GE(number(row, "server_peak_processes"), 1);
    const auto json = read_file(dir_ / "runs.json");
    EXPECT_NE(json.find("\"scenario\": \"idle\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"connections_held\": 304"), std::string::npos) << json;
}

INSTANTIATE_TEST_SUITE_P(backends, run_backend, ::testing::ValuesIn(every_backend()),
                         backend_param_name);

TEST_F(run_test, several_backends_end_with_one_comparison_and_one_row_each) {
    const auto result = run_robotbench(
        short_run({"--backend=select,libuv", "--hgrm=" + (dir_ / "lat.hgrm").string()}));
    EXPECT_EQ(result.status, 0) << result.output;
    const auto comparison = result.output.find("Comparison");
    ASSERT_NE(comparison, std::string::npos) << result.output;
    EXPECT_NE(result.output.find("select", comparison), std::string::npos);
    EXPECT_NE(result.output.find("libuv", comparison), std::string::npos);
    std::size_t rows = 0;
    last_csv_row(dir_ / "runs.csv", &rows);
    EXPECT_EQ(rows, 2u);
    for (const char* name : {"lat-select.hgrm", "lat-libuv.hgrm"}) {
        const auto hgrm = read_file(dir_ / name);
        EXPECT_NE(hgrm.find("Percentile"), std::string::npos) << name;
        EXPECT_NE(hgrm.find("#[Mean"), std::string::npos) << name;
    }
}

TEST_F(run_test, a_server_killed_mid_run_is_reported_and_fails_the_run) {
    auto args = short_run({"robotbench", "run", "--backend=select"});
    args[0] = robotbench_exe();
    args[std::find(args.begin(), args.end(), "500ms") - args.begin()] = "5s";
    child_process bench(args);
    // Find the server (robotbench's child) once the load is under way, and kill it.
    pid_t server = 0;
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (server == 0 && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(50ms);
        const auto children = child_pids(bench.pid());
        if (!children.empty()) server = children.front();
    }
    ASSERT_NE(server, 0) << "robotbench started no server";
    std::this_thread::sleep_for(1s);
    ::kill(server, SIGKILL);
    const auto result = collect(bench, 60s);
    EXPECT_EQ(result.status, 1) << result.output;
    EXPECT_NE(result.output.find("FAILED"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("killed by signal 9"), std::string::npos) << result.output;
    const auto row = last_csv_row(dir_ / "runs.csv");
    EXPECT_EQ(row.at("status"), "failed");
    EXPECT_EQ(row.at("server_user_cpu_s"), "n/a");  // no honest cost for a server that died
}

TEST_F(run_test, nothing_listening_at_the_target_is_one_clear_failure) {
    // A port that was free a moment ago: bind, read it, close.
    server_process server(
        std::vector<std::string>{ROBOTBENCH_FAKE_SERVER_EXE, "--mode=correct", "--port=0"});
    const auto port = server.port();
    ASSERT_EQ(server.terminate(), 0);
    const auto result =
        run_robotbench(short_run({"load", "--target=127.0.0.1:" + std::to_string(port)}));
    EXPECT_EQ(result.status, 1) << result.output;
    EXPECT_NE(result.output.find("cannot connect to 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << result.output;
}

TEST_F(run_test, the_presence_scenario_runs_only_the_check) {
    const auto result = run_robotbench(short_run({"--backend=thread", "--scenario=presence"}));
    EXPECT_EQ(result.status, 0) << result.output;
    const auto row = last_csv_row(dir_ / "runs.csv");
    EXPECT_EQ(row.at("scenario"), "presence");
    EXPECT_EQ(row.at("requests"), "n/a");
    EXPECT_EQ(row.at("presence"), "passed");
    EXPECT_GT(number(row, "presence_checks"), 0);
}

TEST_F(run_test, churn_reports_connects) {
    const auto result = run_robotbench(
        short_run({"--backend=select", "--scenario=churn", "--connect-rate=200", "--no-presence"}));
    EXPECT_EQ(result.status, 0) << result.output;
    const auto row = last_csv_row(dir_ / "runs.csv");
    EXPECT_EQ(row.at("scenario"), "churn");
    EXPECT_GT(number(row, "connects"), 0);
    EXPECT_NE(result.output.find("connects/s"), std::string::npos) << result.output;
}

// Runs `robotbench ARGS | COMMAND` in a shell, robotbench's stderr discarded; returns what the
// pipeline printed.
outcome piped(const std::vector<std::string>& args, const std::string& command) {
    std::string line = "\"$0\"";
    for (const auto& a : args) line += " '" + a + "'";
    line += " 2>/dev/null | " + command;
    child_process shell(std::vector<std::string>{"/bin/sh", "-c", line, robotbench_exe()});
    return collect(shell, 120s);
}

TEST_F(run_test, csv_dash_writes_the_row_to_standard_output) {
    const auto result =
        piped({"--backend=select", "-d", "300ms", "--warmup=0", "-c", "2", "--csv", "-"}, "tail -1");
    EXPECT_EQ(result.status, 0) << result.output;
    ASSERT_EQ(result.lines.size(), 1u) << result.output;
    const auto& row = result.lines[0];
    std::size_t fields = 1;
    bool quoted = false;
    for (const char c : row) {
        if (c == '"') quoted = !quoted;
        if (c == ',' && !quoted) ++fields;
    }
    EXPECT_EQ(fields, columns().size()) << row;
    EXPECT_EQ(row.find("timestamp"), std::string::npos) << row;  // the row, not the header
    EXPECT_NE(row.find(",select,"), std::string::npos) << row;
    EXPECT_NE(row.find(",ok,"), std::string::npos) << row;

    const auto json = piped({"--backend=select", "-d", "300ms", "--warmup=0", "-c", "2",
                             "--no-csv", "--json", "-"},
                            "head -1");
    EXPECT_EQ(json.output, "{\n") << json.output;  // the document, not the table
}

TEST_F(run_test, a_pipe_as_the_csv_path_is_written_never_read) {
    const auto out = dir_ / "out.txt";
    const auto result = piped({"--backend=select", "-d", "300ms", "--warmup=0", "-c", "2",
                               "--no-presence", "--csv", "/dev/stdout"},
                              "cat > '" + out.string() + "'");
    EXPECT_EQ(result.status, 0) << result.output;
    const auto text = read_file(out);
    EXPECT_NE(text.find("timestamp,git_revision,backend"), std::string::npos) << text;
    EXPECT_NE(text.find(",select,"), std::string::npos) << text;
}

TEST_F(run_test, repeat_reports_each_run_and_their_median_with_the_interval) {
    const auto summary = dir_ / "summary.csv";
    const auto result = run_robotbench(short_run(
        {"--backend=select", "--repeat=3", "--no-presence", "--summary-csv", summary.string()}));
    EXPECT_EQ(result.status, 0) << result.output;
    std::size_t rows = 0;
    last_csv_row(dir_ / "runs.csv", &rows);
    EXPECT_EQ(rows, 3u);
    std::size_t reports = 0;
    for (auto at = result.output.find("Result"); at != std::string::npos;
         at = result.output.find("Result", at + 1))
        ++reports;
    EXPECT_EQ(reports, 3u) << result.output;
    const auto table = result.output.find("Repeats (median and its confidence interval)");
    ASSERT_NE(table, std::string::npos) << result.output;
    EXPECT_NE(result.output.find("throughput (median ± CI)", table), std::string::npos);
    EXPECT_NE(result.output.find("k ± ", table), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("3 runs: 75.0%", table), std::string::npos) << result.output;

    // The summary CSV: one row for the cell, the median inside its interval, which for three
    // runs is their min–max.
    const auto cells = read_csv(summary);
    ASSERT_EQ(cells.size(), 1u);
    const auto& cell = cells.front();
    EXPECT_EQ(cell.at("backend"), "select");
    EXPECT_EQ(number(cell, "runs"), 3);
    EXPECT_EQ(cell.at("ci_confidence"), "0.7500");
    std::vector<double> throughput;
    for (const auto& run : read_csv(dir_ / "runs.csv")) throughput.push_back(number(run, "throughput_rps"));
    std::sort(throughput.begin(), throughput.end());
    EXPECT_NEAR(number(cell, "throughput_rps"), throughput[1], 0.11);
    EXPECT_NEAR(number(cell, "throughput_rps_ci_low"), throughput[0], 0.11);
    EXPECT_NEAR(number(cell, "throughput_rps_ci_high"), throughput[2], 0.11);
    for (const char* p : {"latency_p50_us", "latency_p99_us", "latency_p999_us"}) {
        EXPECT_LE(number(cell, std::string(p) + "_ci_low"), number(cell, p)) << p;
        EXPECT_GE(number(cell, std::string(p) + "_ci_high"), number(cell, p)) << p;
    }
    EXPECT_TRUE(cell.at("noisy") == "yes" || cell.at("noisy") == "no");
    const auto json = read_file(dir_ / "runs.json");
    EXPECT_NE(json.find("\"throughput_rps_ci_high\": "), std::string::npos) << json;
    EXPECT_NE(json.find("\"measured_runs\": 3"), std::string::npos) << json;
}

TEST_F(run_test, until_ci_repeats_until_the_interval_is_narrow_or_max_repeat) {
    std::vector<double> throughput;  // of each run of the last call, in order
    const auto runs = [&](std::vector<std::string> args) {
        for (const char* a : {"--backend=epoll", "--no-presence", "-d", "100ms", "--warmup",
                              "50ms", "-c", "4"})
            args.emplace_back(a);
        args.push_back("--csv=" + (dir_ / "runs.csv").string());
        fs::remove(dir_ / "runs.csv");
        const auto result = run_robotbench(args);
        EXPECT_EQ(result.status, 0) << result.output;
        throughput.clear();
        for (const auto& row : read_csv(dir_ / "runs.csv"))
            throughput.push_back(number(row, "throughput_rps"));
        return throughput.size();
    };
    // A 95% interval of the median takes six runs; with six, it spans their lowest to highest.
    // So the run stops at six unless those six spread wider than 99.9% of their median (a noisy
    // machine can do that to 100 ms runs), and then goes on to the next run that narrows it, or
    // to --max-repeat.
    const auto taken = runs({"run", "--until-ci", "99.9", "--max-repeat", "8"});
    ASSERT_GE(taken, 6u);
    std::vector<double> first_six(throughput.begin(), throughput.begin() + 6);
    std::sort(first_six.begin(), first_six.end());
    const double median = (first_six[2] + first_six[3]) / 2;
    if ((first_six[5] - first_six[0]) < 0.999 * median)
        EXPECT_EQ(taken, 6u) << "six runs within 99.9% of their median";
    else
        EXPECT_GT(taken, 6u) << "six runs spread over 99.9% of their median";
    // An interval no repeats can reach: --max-repeat ends it.
    EXPECT_EQ(runs({"run", "--until-ci", "0.0001", "--max-repeat", "7"}), 7u);
    const auto refused = run_robotbench(short_run({"--backend=epoll", "--until-ci", "5",
                                                   "--max-repeat", "5"}));
    EXPECT_EQ(refused.status, 2) << refused.output;
    EXPECT_NE(refused.output.find("at least 6"), std::string::npos) << refused.output;
}

}  // namespace
}  // namespace robotbench::test
