// `robotbench slo` as a user runs it: against a fake server of known capacity the search finds
// that capacity within its resolution; against every real backend it ends within its step
// budget and writes its table, steps, runs, JSON and chart; bad usage is one line and exit 2.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "support/backends.hpp"
#include "support/command.hpp"
#include "support/files.hpp"
#include "support/scratch_test.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

namespace fs = std::filesystem;

// The number after `"name": ` in a JSON text, or -1 when it is missing or null.
double json_number(const std::string& json, const std::string& name) {
    std::smatch m;
    const std::regex pattern("\"" + name + "\": (-?[0-9.]+)");
    if (!std::regex_search(json, m, pattern)) return -1;
    return std::stod(m[1]);
}

class slo_test : public scratch_test {};

TEST_F(slo_test, finds_the_capacity_of_a_server_that_serves_one_request_at_a_time) {
    // One request at a time, 10 ms each: 100 requests/s and not one more. Below that every
    // reply takes 10 ms; above it the queue grows by the excess every second: 5% over, the delay
    // grows 50 ms a second, so the p99 of a 3 s window passes 100 ms. A target that large, and
    // 8 connections in the closed loop (70 ms of queued work), leave room for a machine that
    // is slow to wake the fake server now and then.
    server_process server(std::vector<std::string>{ROBOTBENCH_FAKE_SERVER_EXE, "--mode=serial",
                                                   "--service-ms=10", "--port=0"});
    ASSERT_NE(server.port(), 0);
    const auto out = dir_ / "slo";
    const auto result =
        run_robotbench({"slo", "--target=127.0.0.1:" + std::to_string(server.port()), "--p99",
                        "100ms", "-c", "8", "--repeat=1", "-d", "3s", "--warmup", "500ms",
                        "--resolution", "5%", "--out", out.string()},
                       std::chrono::seconds(240));
    EXPECT_EQ(result.status, 0) << result.output;
    const auto json = read_file(out / "slo.json");
    const double closed = json_number(json, "closed_loop_throughput_rps");
    EXPECT_NEAR(closed, 100, 5) << result.output;  // closed loop: exactly one at a time
    const double found = json_number(json, "sustainable_rate_rps");
    EXPECT_GE(found, 100 * 0.95) << result.output;
    EXPECT_LE(found, 100 * 1.05) << result.output;
    const double breaking = json_number(json, "breaking_rate_rps");
    EXPECT_GT(breaking, found);
    EXPECT_LE(breaking / found, 1.05 + 1e-9) << result.output;
    EXPECT_NE(json.find("\"stop_reason\": \"resolution 5% reached\""), std::string::npos) << json;

    const auto steps = read_csv(out / "steps.csv");
    ASSERT_GE(steps.size(), 2u);
    for (const auto& step : steps) {
        // Errors and presence are counted at every step: a correct server has neither wrong.
        EXPECT_EQ(number(step, "errors"), 0) << step.at("rate_rps");
        EXPECT_EQ(step.at("presence"), "passed") << step.at("rate_rps");
        EXPECT_EQ(step.at("passed") == "yes", number(step, "percentile_us") <= 100'000);
    }
    EXPECT_EQ(read_csv(out / "runs.csv").size(), steps.size() + 1);  // + the closed-loop run
    EXPECT_NE(result.output.find("sustainable"), std::string::npos) << result.output;
    if (fs::exists("/usr/bin/python3")) {
        EXPECT_TRUE(fs::exists(out / "slo.png")) << result.output;
        if (fs::exists(out / "slo.png")) {
            EXPECT_GT(fs::file_size(out / "slo.png"), 5000u);
        }
    }
}

TEST_F(slo_test, errors_fail_a_step) {
    // Every 100th reply is corrupted: no rate is clean, so nothing is sustainable.
    server_process server(
        std::vector<std::string>{ROBOTBENCH_FAKE_SERVER_EXE, "--mode=wrong-reply", "--port=0"});
    ASSERT_NE(server.port(), 0);
    const auto out = dir_ / "slo";
    const auto result = run_robotbench(
        {"slo", "--target=127.0.0.1:" + std::to_string(server.port()), "--p99", "1s",
         "--start-rate", "2000", "--min-rate", "500", "--repeat=1", "-d", "300ms", "--warmup", "0",
         "-c", "2", "--no-presence", "--no-chart", "--out", out.string()},
        std::chrono::seconds(120));
    EXPECT_EQ(result.status, 0) << result.output;
    const auto steps = read_csv(out / "steps.csv");
    ASSERT_EQ(steps.size(), 3u) << result.output;  // 2000, 1000, 500: each fails
    for (const auto& step : steps) {
        EXPECT_EQ(step.at("passed"), "no");
        EXPECT_GT(number(step, "errors"), 0);
        EXPECT_NE(step.at("note").find("wrong"), std::string::npos) << step.at("note");
    }
    const auto json = read_file(out / "slo.json");
    EXPECT_NE(json.find("\"sustainable_rate_rps\": null"), std::string::npos) << json;
    EXPECT_NE(json.find("no rate down to 500 req/s meets the target"), std::string::npos);
}

TEST_F(slo_test, bad_usage_is_one_line_and_exit_2) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"slo"},
             {"slo", "--p99", "1ms", "--p50", "1ms"},
             {"slo", "--p99", "fast"},
             {"slo", "--p99", "1ms", "--backend=nope"},
             {"slo", "--p99", "1ms", "--backend=thread", "--target=127.0.0.1:1"},
             {"slo", "--p99", "1ms", "--resolution", "0"},
             {"slo", "--p99", "1ms", "--target", "nowhere"}}) {
        const auto result = run_robotbench(args);
        EXPECT_EQ(result.status, 2) << args.back() << ": " << result.output;
        EXPECT_EQ(result.lines.size(), 1u) << result.output;
    }
}

class slo_backend : public slo_test, public ::testing::WithParamInterface<std::string> {
  protected:
    void SetUp() override {
        if (const auto why = backend_unavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
        slo_test::SetUp();
    }
};

TEST_P(slo_backend, ends_within_its_step_budget) {
    const auto& backend = GetParam();
    const auto out = dir_ / "slo";
    const auto result = run_robotbench(
        {"slo", "--backend=" + backend, "--p99", "1ms", "--max-steps", "4", "--repeat=1", "-d",
         "200ms", "--warmup", "100ms", "-c", "8", "--no-chart", "--out", out.string()},
        std::chrono::seconds(180));
    EXPECT_EQ(result.status, 0) << result.output;
    const auto steps = read_csv(out / "steps.csv");
    EXPECT_GE(steps.size(), 1u) << result.output;
    EXPECT_LE(steps.size(), 4u) << result.output;
    for (const auto& step : steps) {
        EXPECT_EQ(step.at("backend"), backend);
        if (step.at("errors") == "0") {
            EXPECT_EQ(step.at("presence"), "passed") << step.at("rate_rps");
        }
    }
    const auto json = read_file(out / "slo.json");
    EXPECT_NE(json.find("\"sustainable_rate_rps\": "), std::string::npos) << json;
    EXPECT_GT(json_number(json, "closed_loop_throughput_rps"), 0) << json;
    const auto table = result.output.find("fails at");
    ASSERT_NE(table, std::string::npos) << result.output;
    EXPECT_NE(result.output.find("\n" + backend + " ", table), std::string::npos) << result.output;
}

INSTANTIATE_TEST_SUITE_P(backends, slo_backend, ::testing::ValuesIn(every_backend()),
                         backend_param_name);

}  // namespace
}  // namespace robotbench::test
