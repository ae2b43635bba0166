// The presence check (run_presence) against every real backend, and against fake servers whose
// `/online` count is wrong, missing, or that die in the middle of the check.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/load.hpp"
#include "support/backends.hpp"
#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

using namespace std::chrono_literals;

using loadgen::presence_config;
using loadgen::presence_result;

std::vector<std::string> fake_server(const std::string& mode,
                                     const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{ROBOTBENCH_FAKE_SERVER_EXE, "--mode=" + mode, "--port=0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

// A server these tests started has no clients but the generator's.
presence_config config_for(std::uint16_t port) {
    presence_config config;
    config.target.port = port;
    config.others = 0;
    return config;
}

std::string all_details(const presence_result& r) {
    std::string out = r.note;
    for (const auto& d : r.failure_details) out += "\n  " + d;
    return out;
}

bool any_detail_has(const presence_result& r, const std::string& text) {
    for (const auto& d : r.failure_details)
        if (d.find(text) != std::string::npos) return true;
    return false;
}

class presence_on_backend : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (const auto why = backend_unavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    }
};

TEST_P(presence_on_backend, every_check_passes) {
    server_process server(GetParam());
    ASSERT_NE(server.port(), 0);
    const auto config = config_for(server.port());
    const auto r = loadgen::run_presence(config);
    EXPECT_TRUE(r.supported) << r.note;
    EXPECT_GT(r.checks, 0u);
    EXPECT_EQ(r.failures, 0u) << all_details(r);
    EXPECT_TRUE(r.failure_details.empty());
    EXPECT_GT(r.max_convergence.count(), 0);
    EXPECT_LE(r.median_convergence, r.max_convergence);
    EXPECT_LE(r.max_convergence, config.settle);
    // Every client the check opened is gone again, and the server serves on.
    EXPECT_EQ(online_eventually(server.port(), 1), 1);
    EXPECT_EQ(server.terminate(), 0);
}

INSTANTIATE_TEST_SUITE_P(backends, presence_on_backend, ::testing::ValuesIn(every_backend()),
                         backend_param_name);

TEST(presence, other_clients_of_an_outside_server_go_into_the_baseline) {
    server_process server("select");
    ASSERT_NE(server.port(), 0);
    client other(server.port());
    ASSERT_EQ(other.ask("someone else"), "====someone else====");
    auto config = config_for(server.port());
    config.others.reset();  // as against `load --target`: unknown
    const auto r = loadgen::run_presence(config);
    EXPECT_TRUE(r.supported) << r.note;
    EXPECT_GT(r.checks, 0u);
    EXPECT_EQ(r.failures, 0u) << all_details(r);
    EXPECT_EQ(other.ask("still here"), "====still here====");
    EXPECT_EQ(online_eventually(server.port(), 2), 2);
}

TEST(presence, a_client_the_generator_does_not_know_of_fails_a_run_on_its_own_server) {
    server_process server("select");
    ASSERT_NE(server.port(), 0);
    client stranger(server.port());
    ASSERT_EQ(stranger.ask("here"), "====here====");
    auto config = config_for(server.port());
    config.waves = 1;
    config.settle = std::chrono::milliseconds(200);
    const auto r = loadgen::run_presence(config);
    EXPECT_GT(r.failures, 0u);
    EXPECT_TRUE(any_detail_has(r, "expected 1 (0 other + control + 0 open), last seen 2"))
        << all_details(r);
}

TEST(presence_on_fake_server, correct_passes) {
    server_process server(fake_server("correct"));
    ASSERT_NE(server.port(), 0);
    const auto r = loadgen::run_presence(config_for(server.port()));
    EXPECT_TRUE(r.supported) << r.note;
    EXPECT_GT(r.checks, 0u);
    EXPECT_EQ(r.failures, 0u) << all_details(r);
    EXPECT_EQ(server.terminate(), 0);
}

TEST(presence_on_fake_server, fake_answers_online_as_its_mode_says) {
    const std::vector<std::pair<std::string, std::string>> expected{
        {"correct", "online 1"},
        {"bad-online", "online 2"},
        {"low-online", "online 0"},
        {"no-online", "====/online===="},
        {"negative-online", "online -5"},
        {"overflow-online", "online 99999999999999999999"},
        {"binary-online", "online \xff"},
    };
    for (const auto& [mode, reply] : expected) {
        server_process server(fake_server(mode));
        ASSERT_NE(server.port(), 0) << mode;
        client c(server.port());
        EXPECT_EQ(c.ask("hi"), "====hi====") << mode;
        EXPECT_EQ(c.ask("/online"), reply) << mode;
        EXPECT_EQ(server.terminate(), 0) << mode;
    }
    server_process silent(fake_server("silent-online"));
    ASSERT_NE(silent.port(), 0);
    client c(silent.port());
    EXPECT_EQ(c.ask("/online", 300ms), std::nullopt);
    EXPECT_EQ(c.ask("hi"), "====hi====");  // other lines are still answered
    EXPECT_EQ(silent.terminate(), 0);
}

// `online ` and a count with a sign, too many digits or no digits is not a count and not the
// echo of a server without `/online`: a protocol error, which fails the check and names the
// answer (escaped).
TEST(presence_on_fake_server, a_malformed_answer_is_a_failure_that_names_it) {
    const std::vector<std::pair<std::string, std::string>> expected{
        {"negative-online", "malformed /online answer 'online -5'"},
        {"overflow-online", "malformed /online answer 'online 99999999999999999999'"},
        {"binary-online", "malformed /online answer 'online \\xff'"},
    };
    for (const auto& [mode, detail] : expected) {
        server_process server(fake_server(mode));
        ASSERT_NE(server.port(), 0) << mode;
        for (const bool others_known : {true, false}) {
            auto config = config_for(server.port());
            if (!others_known) config.others.reset();  // as against `load --target`
            const auto r = loadgen::run_presence(config);
            EXPECT_TRUE(r.supported) << mode;
            EXPECT_EQ(r.failures, 1u) << mode << all_details(r);
            EXPECT_TRUE(any_detail_has(r, detail)) << mode << all_details(r);
        }
        EXPECT_EQ(server.terminate(), 0) << mode;
    }
}

TEST(presence_on_fake_server, silence_is_a_failure_not_a_server_without_online) {
    server_process server(fake_server("silent-online"));
    ASSERT_NE(server.port(), 0);
    const auto r = loadgen::run_presence(config_for(server.port()));
    EXPECT_TRUE(r.supported);
    EXPECT_EQ(r.failures, 1u) << all_details(r);
    EXPECT_TRUE(any_detail_has(r, "did not answer /online within 1000.00 ms")) << all_details(r);
    EXPECT_EQ(server.terminate(), 0);
}

TEST(presence_on_fake_server, a_count_one_too_high_fails_every_checkpoint) {
    server_process server(fake_server("bad-online"));
    ASSERT_NE(server.port(), 0);
    auto config = config_for(server.port());
    config.waves = 2;
    config.settle = std::chrono::milliseconds(250);
    const auto r = loadgen::run_presence(config);
    EXPECT_TRUE(r.supported);
    EXPECT_GT(r.failures, 0u);
    EXPECT_EQ(r.failure_details.size(), r.failures);
    EXPECT_LE(r.failures, r.checks);
    // One failed checkpoint per wave opened, per wave's closes, and at the start and the end.
    EXPECT_EQ(r.failures, 2 * config.waves + 2) << all_details(r);
    EXPECT_TRUE(any_detail_has(r, "expected 1 (0 other + control + 0 open), last seen 2"))
        << all_details(r);
    EXPECT_TRUE(any_detail_has(r, "expected 41 (0 other + control + 40 open), last seen 42"))
        << all_details(r);
}

TEST(presence_on_fake_server, a_count_below_the_open_clients_fails_while_closing) {
    server_process server(fake_server("low-online"));
    ASSERT_NE(server.port(), 0);
    auto config = config_for(server.port());
    config.waves = 1;
    config.settle = std::chrono::milliseconds(200);
    const auto r = loadgen::run_presence(config);
    EXPECT_TRUE(r.supported);
    EXPECT_TRUE(any_detail_has(r, "while closing after wave 1: /online said 40, below 41"))
        << all_details(r);
}

TEST(presence_on_fake_server, no_online_skips_the_checks_without_failing) {
    server_process server(fake_server("no-online"));
    ASSERT_NE(server.port(), 0);
    const auto r = loadgen::run_presence(config_for(server.port()));
    EXPECT_FALSE(r.supported);
    EXPECT_EQ(r.failures, 0u) << all_details(r);
    EXPECT_EQ(r.checks, 0u);
    EXPECT_NE(r.note.find("/online"), std::string::npos) << r.note;
    EXPECT_EQ(server.terminate(), 0);
}

TEST(presence_on_fake_server, a_server_that_dies_mid_check_gives_failures_not_a_hang) {
    // Every reply 5 ms late: the whole check takes about a second, so it is still running when
    // the server is killed.
    server_process server(fake_server("delay", {"--delay-ms=5"}));
    ASSERT_NE(server.port(), 0);
    auto check = std::async(std::launch::async, loadgen::run_presence, config_for(server.port()));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.process().signal(SIGKILL);
    ASSERT_EQ(check.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    const auto r = check.get();
    EXPECT_GT(r.failures, 0u);
    EXPECT_TRUE(any_detail_has(r, "the remaining checks were not run")) << all_details(r);
}

TEST(presence, an_unreachable_server_is_a_failure_not_a_skip) {
    std::uint16_t port = 0;
    {
        server_process gone("select");
        port = gone.port();
        ASSERT_NE(port, 0);
        ASSERT_EQ(gone.terminate(), 0);
    }
    const auto r = loadgen::run_presence(config_for(port));
    EXPECT_TRUE(r.supported);
    EXPECT_EQ(r.checks, 1u);
    EXPECT_EQ(r.failures, 1u);
    EXPECT_TRUE(any_detail_has(r, "control connection")) << all_details(r);
}

}  // namespace
}  // namespace robotbench::test
