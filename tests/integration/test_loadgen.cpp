// The load generator against real servers over real sockets: a robotbench select server started
// on port 0 must give clean runs in closed loop, open loop and churn; connect failures, wrong
// replies, resets and a known delay must show up as such.

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/load.hpp"
#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

using namespace std::chrono_literals;
using loadgen::error_counts;
using loadgen::load_config;
using loadgen::load_result;

// Every error kind, for failure messages.
std::string describe(const error_counts& e) {
    std::ostringstream out;
    out << "connect=" << e.connect << " reset=" << e.reset << " closed=" << e.closed
        << " timeout=" << e.timeout << " wrong=" << e.wrong << " reordered=" << e.reordered
        << " missing=" << e.missing;
    return out.str();
}

load_config short_run(std::uint16_t port) {
    load_config c;
    c.target.port = port;
    c.connections = 8;
    c.threads = 2;
    c.pipeline = 4;
    c.warmup = 200ms;
    c.duration = 1s;
    c.timeout = 2s;
    return c;
}

std::vector<std::string> fake_server(const std::string& mode, const std::string& extra = {}) {
    std::vector<std::string> argv{ROBOTBENCH_FAKE_SERVER_EXE, "--mode=" + mode, "--port=0"};
    if (!extra.empty()) argv.push_back(extra);
    return argv;
}

TEST(loadgen, closed_loop_run_against_select_has_zero_errors) {
    server_process server("select");
    ASSERT_NE(server.port(), 0);
    const load_config config = short_run(server.port());
    const load_result r = loadgen::run_load(config);
    EXPECT_EQ(r.errors.total(), 0u) << describe(r.errors);
    EXPECT_GT(r.requests, 0u);
    EXPECT_EQ(r.latency.count(), r.requests);
    EXPECT_EQ(r.service.count(), r.requests);  // closed loop: service time is the latency
    EXPECT_EQ(r.connects, config.connections);
    EXPECT_EQ(r.connect_latency.count(), config.connections);
    EXPECT_GE(r.measured, config.duration * 99 / 100);
    EXPECT_LT(r.measured, config.duration + 1s);
    EXPECT_EQ(r.window_end - r.window_begin, r.measured);
    EXPECT_GT(r.throughput(), 0.0);
    EXPECT_GT(r.latency.min(), 0u);
    EXPECT_LE(r.latency.value_at_percentile(50), r.latency.max());
    EXPECT_GT(r.generator_cpu.user_s + r.generator_cpu.sys_s, 0.0);
    EXPECT_EQ(r.max_lag.count(), 0);
    // Every connection was closed again: only the asker is online.
    EXPECT_EQ(online_eventually(server.port(), 1), 1);
    EXPECT_EQ(server.terminate(), 0);
}

TEST(loadgen, open_loop_sends_on_schedule_and_records_both_times) {
    server_process server("select");
    ASSERT_NE(server.port(), 0);
    load_config config = short_run(server.port());
    config.rate = 2000;
    config.pipeline = 1;
    const load_result r = loadgen::run_load(config);
    EXPECT_EQ(r.errors.total(), 0u) << describe(r.errors);
    // 2000 requests/s for 1 s, whatever the server does (a wide margin for a noisy machine).
    EXPECT_GT(r.requests, 1600u);
    EXPECT_LT(r.requests, 2400u);
    EXPECT_EQ(r.service.count(), r.latency.count());
    // Latency counts from the intended send, service time from the actual one, which is later.
    EXPECT_GE(r.latency.value_at_percentile(50), r.service.value_at_percentile(50));
    EXPECT_GE(r.latency.max(), r.service.max());
    EXPECT_GE(r.max_lag.count(), 0);
    EXPECT_EQ(server.terminate(), 0);
}

TEST(loadgen, churn_opens_sends_k_requests_and_closes) {
    server_process server("select");
    ASSERT_NE(server.port(), 0);
    loadgen::churn_config config;
    config.load = short_run(server.port());
    config.connect_rate = 200;
    config.requests_per_connection = 4;
    const load_result r = loadgen::run_churn(config);
    EXPECT_EQ(r.errors.total(), 0u) << describe(r.errors);
    // About 200 connects in the 1 s window, each with 4 requests.
    EXPECT_GT(r.connects, 100u);
    EXPECT_LT(r.connects, 300u);
    EXPECT_GE(r.requests + 4 * config.load.connections, 4 * r.connects);
    EXPECT_LE(r.requests, 4 * (r.connects + config.load.connections));
    EXPECT_EQ(r.connect_latency.count(), r.connects);
    EXPECT_EQ(online_eventually(server.port(), 1), 1);
    EXPECT_EQ(server.terminate(), 0);
}

TEST(loadgen, progress_comes_once_a_second_from_the_calling_thread) {
    server_process server("select");
    ASSERT_NE(server.port(), 0);
    load_config config = short_run(server.port());
    config.warmup = 1s;
    config.duration = 2s;
    const auto caller = std::this_thread::get_id();
    std::vector<loadgen::progress> seen;
    const load_result r = loadgen::run_load(config, [&](const loadgen::progress& p) {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        seen.push_back(p);
    });
    EXPECT_EQ(r.errors.total(), 0u) << describe(r.errors);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].elapsed, 1s);
    EXPECT_TRUE(seen[0].warming_up);
    EXPECT_EQ(seen[2].elapsed, 3s);
    EXPECT_FALSE(seen[2].warming_up);
    for (const auto& p : seen) {
        EXPECT_GT(p.requests_per_s, 0.0);
        EXPECT_EQ(p.errors, 0u);
    }
    EXPECT_GT(seen[2].p99_ns, 0u);
    EXPECT_EQ(server.terminate(), 0);
}

TEST(loadgen, a_port_nobody_listens_on_counts_connect_errors) {
    std::uint16_t port = 0;
    {
        server_process server("select");
        port = server.port();
        ASSERT_NE(port, 0);
        EXPECT_EQ(server.terminate(), 0);
    }
    load_config config = short_run(port);
    config.warmup = 0s;
    config.duration = 300ms;
    const load_result r = loadgen::run_load(config);
    EXPECT_GT(r.errors.connect, 0u) << describe(r.errors);
    EXPECT_EQ(r.requests, 0u);
    EXPECT_EQ(r.connects, 0u);
}

TEST(loadgen, wrong_replies_are_counted_as_wrong) {
    server_process server(fake_server("wrong-reply"));
    ASSERT_NE(server.port(), 0);
    const load_result r = loadgen::run_load(short_run(server.port()));
    EXPECT_GT(r.errors.wrong, 0u) << describe(r.errors);
    EXPECT_EQ(r.errors.reordered + r.errors.timeout + r.errors.reset, 0u) << describe(r.errors);
    EXPECT_GT(r.requests, r.errors.wrong);  // the other replies were fine
    EXPECT_EQ(server.terminate(), 0);
}

TEST(loadgen, resets_count_as_reset_and_the_requests_in_flight_as_missing) {
    server_process server(fake_server("drop"));
    ASSERT_NE(server.port(), 0);
    const load_result r = loadgen::run_load(short_run(server.port()));
    EXPECT_GT(r.errors.reset + r.errors.closed, 0u) << describe(r.errors);
    EXPECT_GT(r.errors.missing, 0u) << describe(r.errors);
    EXPECT_EQ(r.errors.wrong, 0u) << describe(r.errors);
    EXPECT_GT(r.connects, 8u);  // connections were opened again after each reset
    EXPECT_EQ(server.terminate(), 0);
}

TEST(loadgen, a_known_delay_shows_as_the_median_latency) {
    server_process server(fake_server("delay", "--delay-ms=20"));
    ASSERT_NE(server.port(), 0);
    load_config config = short_run(server.port());
    config.pipeline = 1;
    const load_result r = loadgen::run_load(config);
    EXPECT_EQ(r.errors.total(), 0u) << describe(r.errors);
    ASSERT_GT(r.requests, 0u);
    EXPECT_NEAR(double(r.latency.value_at_percentile(50)), 20e6, 2e6);
    EXPECT_GE(r.latency.min(), 20'000'000u);
    EXPECT_EQ(server.terminate(), 0);
}

}  // namespace
}  // namespace robotbench::test
