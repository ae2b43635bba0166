// Runs refused before they start: impossible settings, a run a backend cannot hold, outputs
// that cannot be written. Each is one line and exit status 2, with no server left behind and no
// file written.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "support/command.hpp"
#include "support/files.hpp"
#include "support/run_test.hpp"

namespace robotbench::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

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

TEST_F(run_test, a_run_a_backend_cannot_hold_is_refused_before_any_server_starts) {
    const auto result = run_robotbench({"--backend=select", "-c", "1100", "-d", "500ms",
                                        "--csv=" + (dir_ / "runs.csv").string()});
    EXPECT_EQ(result.status, 2) << result.output;
    EXPECT_NE(result.output.find("select serves at most 1018 clients"), std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("FD_SETSIZE"), std::string::npos) << result.output;
    EXPECT_FALSE(fs::exists(dir_ / "runs.csv")) << "nothing ran, so no row";
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

}  // namespace
}  // namespace robotbench::test
