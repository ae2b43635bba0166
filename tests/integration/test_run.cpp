// The benchmark run as a user drives it: the real robotbench binary started with flags, its exit
// status, its report, and the CSV and JSON files it writes. Against every backend (robotbench
// starts the server itself) and against small servers that misbehave on purpose
// (`robotbench load --target`).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "harness/child_process.hpp"
#include "harness/columns.hpp"
#include "support/backends.hpp"
#include "support/command.hpp"
#include "support/csv_columns.hpp"
#include "support/files.hpp"
#include "support/scratch_test.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The run tests' fixture: a scratch folder and the short run they share.
class run_test : public scratch_test {
  protected:
    // The short run every test uses.
    std::vector<std::string> short_run(std::vector<std::string> args) const {
        for (const char* a : {"-d", "500ms", "--warmup", "200ms", "-c", "8"}) args.emplace_back(a);
        args.push_back("--csv=" + (dir_ / "runs.csv").string());
        args.push_back("--json=" + (dir_ / "runs.json").string());
        return args;
    }
};

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

// A fake server in `mode`, and robotbench load against it.
class against_fake : public run_test {
  protected:
    outcome load(const std::string& mode, std::vector<std::string> extra = {},
                 std::vector<std::string> server_flags = {}) {
        std::vector<std::string> argv{ROBOTBENCH_FAKE_SERVER_EXE, "--mode=" + mode, "--port=0"};
        argv.insert(argv.end(), server_flags.begin(), server_flags.end());
        server_process server(argv);
        EXPECT_NE(server.port(), 0);
        std::vector<std::string> args{"load",
                                      "--target=127.0.0.1:" + std::to_string(server.port())};
        args.insert(args.end(), extra.begin(), extra.end());
        auto result = run_robotbench(short_run(args));
        row_ = last_csv_row(dir_ / "runs.csv");
        json_ = read_file(dir_ / "runs.json");
        return result;
    }
    std::map<std::string, std::string> row_;
    std::string json_;
};

TEST_F(against_fake, a_correct_server_passes_and_its_cost_is_n_a) {
    const auto result = load("correct");
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_EQ(row_.at("status"), "ok");
    EXPECT_EQ(row_.at("backend"), "n/a");
    EXPECT_EQ(row_.at("presence"), "passed");
    for (const char* column : {"server_user_cpu_s", "server_sys_cpu_s", "server_cpu_us_per_request",
                               "server_peak_memory_kib"})
        EXPECT_EQ(row_.at(column), "n/a") << column;
    EXPECT_GT(number(row_, "generator_cpu_s"), 0);
    EXPECT_NE(result.output.find("Server cost"), std::string::npos) << result.output;
}

TEST_F(against_fake, wrong_replies_fail_the_run_as_wrong) {
    const auto result = load("wrong-reply");
    EXPECT_EQ(result.status, 1) << result.output;
    EXPECT_NE(result.output.find("FAILED"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("wrong"), std::string::npos) << result.output;
    EXPECT_GT(number(row_, "errors_wrong"), 0);
    EXPECT_EQ(row_.at("status"), "errors");
    EXPECT_EQ(json_.find("\"errors_wrong\": 0,"), std::string::npos) << json_;
    EXPECT_NE(json_.find("\"errors_wrong\": "), std::string::npos) << json_;
}

TEST_F(against_fake, dropped_connections_fail_the_run_with_replies_missing) {
    const auto result = load("drop", {"--no-presence"});
    EXPECT_EQ(result.status, 1) << result.output;
    EXPECT_NE(result.output.find("FAILED"), std::string::npos) << result.output;
    EXPECT_GT(number(row_, "errors_closed") + number(row_, "errors_missing"), 0) << result.output;
    EXPECT_EQ(number(row_, "errors_wrong"), 0);
}

TEST_F(against_fake, a_wrong_online_count_fails_the_presence_check) {
    const auto result = load("bad-online");
    EXPECT_EQ(result.status, 1) << result.output;
    EXPECT_NE(result.output.find("presence checks failed"), std::string::npos) << result.output;
    EXPECT_EQ(number(row_, "errors"), 0);
    EXPECT_EQ(row_.at("presence"), "failed");
    EXPECT_GT(number(row_, "presence_failures"), 0);
    EXPECT_EQ(row_.at("status"), "presence-failed");
}

TEST_F(against_fake, a_server_without_online_skips_the_presence_check) {
    const auto result = load("no-online");
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("skipped"), std::string::npos) << result.output;
    EXPECT_EQ(row_.at("presence"), "skipped");
    EXPECT_EQ(row_.at("presence_checks"), "n/a");
    EXPECT_NE(json_.find("\"presence_note\": \""), std::string::npos);
}

TEST_F(against_fake, churn_against_a_server_without_online_skips_the_check_as_load_does) {
    // Churn measures connecting and validates every reply on its own; its presence check is the
    // same closing check as load's.
    const auto result = load("no-online", {"--scenario=churn", "--connect-rate=200"});
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_EQ(row_.at("presence"), "skipped");
    EXPECT_EQ(result.output.find("FAILED"), std::string::npos) << result.output;
}

TEST_F(against_fake, a_presence_scenario_against_a_server_without_online_checked_nothing_and_fails) {
    const auto result = load("no-online", {"--scenario=presence"});
    EXPECT_EQ(result.status, 1) << result.output;
    EXPECT_NE(result.output.find("FAILED"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("nothing was checked"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("'====/online===='"), std::string::npos) << result.output;
    EXPECT_EQ(row_.at("presence"), "failed");
    EXPECT_EQ(row_.at("status"), "presence-failed");
}

// Silence is not a server without `/online` (that one echoes the line): whenever the presence
// check runs, it fails.
TEST_F(against_fake, a_server_that_never_answers_online_fails_the_presence_check) {
    for (const std::string scenario : {"load", "presence", "churn"}) {
        const auto result = load("silent-online", {"--scenario=" + scenario});
        EXPECT_EQ(result.status, 1) << scenario << ": " << result.output;
        EXPECT_NE(result.output.find("did not answer /online within"), std::string::npos)
            << scenario << ": " << result.output;
        EXPECT_EQ(row_.at("presence"), "failed") << scenario;
        EXPECT_EQ(row_.at("status"), "presence-failed") << scenario;
    }
    // Nobody asks with --no-presence, and the load alone passes.
    const auto result = load("silent-online", {"--no-presence"});
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_EQ(row_.at("presence"), "off");
}

// A malformed `/online` answer is a protocol error in every scenario: the run fails and the
// report names the answer, with bytes that are not printable escaped.
TEST_F(against_fake, a_malformed_online_answer_fails_every_scenario_and_is_named) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"negative-online", "'online -5'"},
        {"overflow-online", "'online 99999999999999999999'"},
        {"binary-online", "'online \\xff'"},
    };
    for (const auto& [mode, shown] : cases) {
        for (const std::string scenario : {"load", "presence", "churn"}) {
            SCOPED_TRACE(mode + ", " + scenario);
            const auto result = load(mode, {"--scenario=" + scenario});
            EXPECT_EQ(result.status, 1) << result.output;
            EXPECT_NE(result.output.find("FAILED"), std::string::npos) << result.output;
            EXPECT_NE(result.output.find("malformed /online answer " + shown), std::string::npos)
                << result.output;
            EXPECT_EQ(result.output.find('\xff'), std::string::npos) << "printed unescaped";
            EXPECT_EQ(row_.at("presence"), "failed");
            EXPECT_EQ(row_.at("status"), "presence-failed");
            EXPECT_GE(number(row_, "presence_failures"), 1);
        }
    }
}

TEST_F(against_fake, a_known_delay_is_the_reported_median) {
    const auto result = load("delay", {}, {"--delay-ms=20"});
    EXPECT_EQ(result.status, 0) << result.output;
    const double p50_us = number(row_, "latency_p50_us");
    EXPECT_GE(p50_us, 18'000) << result.output;
    EXPECT_LE(p50_us, 22'000) << result.output;
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

// Impossible settings: one line naming what is wrong (and the valid choices), exit 2, and no
// server left behind or file written.
TEST_F(run_test, bad_usage_is_one_line_and_exit_2) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--backend=nope"}, "valid: select, fork, thread, libuv"},
        {{"run", "--backend=select,nope"}, "unknown backend 'nope'"},
        {{"--backend=select", "-P", "0"}, "--pipeline"},
        {{"--backend=select", "-d", "0"}, "--duration"},
        {{"--backend=select", "-d", "5 parsecs"}, "not a duration"},
        {{"--backend=select", "--size", "5000"}, "max line"},
        {{"--backend=select", "--scenario", "stress"}, "valid: load, presence, churn, idle"},
        {{"--backend=select", "--size", "4q"}, "not a size in bytes (e.g. 64, 4k; units: b, k"},
        {{"--backend=select", "--size", "8"}, "payload size 8 is below the minimum"},
        {{"--backend=select", "-d", "1e3s"}, "units: ns, us, ms, s, m, h"},
        {{"--backend=select", "-R", "-3"}, "--rate"},
        {{"--backend=select", "-R", "1000", "-P", "4"}, "--pipeline applies to closed loop only"},
        {{"load", "--target=somewhere"}, "HOST:PORT"},
        {{"load", "--target=127.0.0.1:99999"}, "HOST:PORT"},
        {{"load"}, "--target"},
        {{"--no-such-flag"}, "--no-such-flag"},
    };
    for (const auto& [args, expected] : cases) {
        auto with_csv = args;
        with_csv.push_back("--csv=" + (dir_ / "bad.csv").string());
        const auto result = run_robotbench(with_csv, 30s);
        EXPECT_EQ(result.status, 2) << args.back() << ": " << result.output;
        EXPECT_NE(result.output.find(expected), std::string::npos) << result.output;
        EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
    }
    EXPECT_FALSE(fs::exists(dir_ / "bad.csv"));
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

TEST_F(run_test, a_run_a_backend_cannot_hold_is_refused_before_any_server_starts) {
    const auto result = run_robotbench({"--backend=select", "-c", "1100", "-d", "500ms",
                                        "--csv=" + (dir_ / "runs.csv").string()});
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_NE(result.output.find("select serves at most 1018 clients"), std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("FD_SETSIZE"), std::string::npos) << result.output;
    EXPECT_FALSE(fs::exists(dir_ / "runs.csv")) << "nothing ran, so no row";
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

// robotbench started directly (its pid is robotbench's), stdout to a pipe, stderr inherited.
child_process start_robotbench(std::vector<std::string> args) {
    args.insert(args.begin(), robotbench_exe());
    return child_process(args);
}

// Waits (up to 20 s) until `bench` has started its server, the first step of a run.
void wait_for_server(const child_process& bench) {
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (child_pids(bench.pid()).empty() && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(20ms);
    ASSERT_FALSE(child_pids(bench.pid()).empty()) << "robotbench started no server";
}

TEST_F(run_test, the_first_sigint_ends_the_window_and_keeps_what_was_measured) {
    auto bench = start_robotbench({"run", "--backend=select", "-d", "30s", "--warmup=0", "-c", "4",
                                   "--csv=" + (dir_ / "runs.csv").string(),
                                   "--json=" + (dir_ / "runs.json").string()});
    wait_for_server(bench);
    const pid_t server = child_pids(bench.pid()).front();
    std::this_thread::sleep_for(1500ms);
    const auto interrupted_at = std::chrono::steady_clock::now();
    ::kill(bench.pid(), SIGINT);
    const auto result = collect(bench, 60s);
    EXPECT_LT(std::chrono::steady_clock::now() - interrupted_at, 20s);  // not the 30 s asked for
    EXPECT_EQ(result.status, 130) << result.output;
    EXPECT_NE(result.output.find("INTERRUPTED after"), std::string::npos) << result.output;
    EXPECT_FALSE(process_running(server));  // the server was stopped
    std::size_t rows = 0;
    const auto row = last_csv_row(dir_ / "runs.csv", &rows);
    ASSERT_EQ(rows, 1u) << result.output;
    EXPECT_EQ(row.at("status"), "interrupted");
    EXPECT_GT(number(row, "measured_s"), 0.5);
    EXPECT_LT(number(row, "measured_s"), 5.0);
    EXPECT_GT(number(row, "requests"), 0);
    EXPECT_EQ(number(row, "errors"), 0);
    EXPECT_EQ(row.at("presence"), "skipped");
    const auto json = read_file(dir_ / "runs.json");
    EXPECT_NE(json.find("\"status\": \"interrupted\""), std::string::npos) << json;
}

TEST_F(run_test, a_second_sigint_aborts_at_once) {
    // A presence check against a server that never answers takes many seconds, and the first
    // SIGINT does not cut it short; the second one must end robotbench at once.
    server_process server(std::vector<std::string>{ROBOTBENCH_FAKE_SERVER_EXE, "--mode=stall",
                                                   "--port=0", "--stall-after-ms=0",
                                                   "--stall-ms=600000"});
    ASSERT_NE(server.port(), 0);
    auto bench = start_robotbench({"load", "--target=127.0.0.1:" + std::to_string(server.port()),
                                   "--scenario=presence",
                                   "--csv=" + (dir_ / "runs.csv").string()});
    std::this_thread::sleep_for(500ms);
    ::kill(bench.pid(), SIGINT);
    std::this_thread::sleep_for(300ms);
    ASSERT_FALSE(bench.wait_for(0ms)) << "the check ended before the test could interrupt it";
    ::kill(bench.pid(), SIGINT);
    const auto status = bench.wait_for(5s);
    ASSERT_TRUE(status) << "robotbench still runs after the second SIGINT";
    EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGINT) << *status;
    EXPECT_FALSE(fs::exists(dir_ / "runs.csv"));
}

TEST_F(run_test, an_output_that_cannot_be_written_is_refused_before_the_run) {
    const auto started = std::chrono::steady_clock::now();
    const auto result = run_robotbench({"--backend=select", "-d", "30s", "--csv=/proc/nope/x.csv"});
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);  // nothing ran
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_EQ(result.lines.size(), 1u) << result.output;
    EXPECT_NE(result.output.find("/proc/nope/x.csv"), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find("backend"), std::string::npos) << result.output;  // no report

    for (const std::string flag : {"--json=/proc/nope/x.json", "--hgrm=/proc/nope/x.hgrm"}) {
        const auto other = run_robotbench({"--backend=select", "-d", "30s", "--no-csv", flag});
        EXPECT_EQ(other.status, 2) << flag << ": " << other.output;
        EXPECT_EQ(other.lines.size(), 1u) << other.output;
    }
}

TEST_F(run_test, a_csv_with_another_header_is_refused_before_the_run) {
    const auto csv = dir_ / "old.csv";
    std::ofstream(csv) << "timestamp,backend,throughput\n2024,select,1\n";
    const auto result = run_robotbench({"--backend=select", "-d", "30s", "--csv=" + csv.string()});
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_EQ(result.lines.size(), 1u) << result.output;
    EXPECT_NE(result.output.find("different header"), std::string::npos) << result.output;
    EXPECT_EQ(read_file(csv), "timestamp,backend,throughput\n2024,select,1\n");
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
