// `robotbench load --target` against small servers that misbehave on purpose (the fake server of
// tests/fixtures): wrong replies, dropped connections, a wrong or missing or malformed `/online`
// answer, silence, a known delay. Each must pass or fail the run as a user would expect.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "support/command.hpp"
#include "support/csv_columns.hpp"
#include "support/files.hpp"
#include "support/run_test.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

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

}  // namespace
}  // namespace robotbench::test
