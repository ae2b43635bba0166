// Ctrl-C during a run: the first SIGINT ends the measuring window and keeps what was measured,
// the second aborts at once.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "harness/child_process.hpp"
#include "support/command.hpp"
#include "support/csv_columns.hpp"
#include "support/files.hpp"
#include "support/run_test.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

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

}  // namespace
}  // namespace robotbench::test
