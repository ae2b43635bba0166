// The load generator against real servers over real sockets: a robotbench select server started
// on port 0 must give clean runs in closed loop, open loop and churn; connect failures, wrong
// replies, resets and a known delay must show up as such.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
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
    // The requests in flight when the window closed are in the latency too, with the time they
    // had waited: every connection's pipeline.
    EXPECT_EQ(r.unanswered, config.connections * config.pipeline);
    EXPECT_EQ(r.unsent, 0u);
    EXPECT_EQ(r.latency.count(), r.requests + r.unanswered);
    EXPECT_EQ(r.service.count(), r.latency.count());  // closed loop: service time is the latency
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
    EXPECT_EQ(r.latency.count(), r.requests + r.unanswered + r.unsent);
    EXPECT_EQ(r.service.count(), r.requests + r.unanswered);
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
    // The delay is a floor; above it a busy machine may add a few ms of scheduling delay to the
    // fake server's sleep, so the bound above is loose (it failed at 2 ms with the machine's two
    // cores busy compiling).
    EXPECT_GE(r.latency.value_at_percentile(50), 20'000'000u);
    EXPECT_LT(r.latency.value_at_percentile(50), 30'000'000u);
    // Answered requests all took the delay; only the few unanswered when the window closed (one
    // per connection of ~400 requests) are in the latency with less.
    EXPECT_EQ(r.unanswered, config.connections);
    EXPECT_GE(r.latency.value_at_percentile(10), 20'000'000u);
    EXPECT_EQ(server.terminate(), 0);
}

// A fake server that stops reading and replying `after_ms` after the first request, for
// `for_ms`, then serves again.
std::vector<std::string> stalling_server(int after_ms, int for_ms) {
    return {ROBOTBENCH_FAKE_SERVER_EXE, "--mode=stall", "--port=0",
            "--stall-after-ms=" + std::to_string(after_ms),
            "--stall-ms=" + std::to_string(for_ms)};
}

TEST(loadgen, open_loop_records_every_scheduled_request_when_the_server_stalls_at_the_end) {
    // The server stalls for the last ~1 s of a 2 s window (and answers again after it). Every
    // request the schedule asked for in the window must be in the latency distribution: the
    // answered ones, those sent and unanswered, and those never sent (one connection at 10,000
    // req/s reaches the open-loop in-flight bound of 4,096 within the stall).
    server_process server(stalling_server(1200, 3000));
    ASSERT_NE(server.port(), 0);
    load_config config = short_run(server.port());
    config.connections = 1;
    config.threads = 1;
    config.pipeline = 1;
    config.rate = 10'000;
    config.duration = 2s;
    config.timeout = 5s;
    const load_result r = loadgen::run_load(config);
    EXPECT_EQ(r.errors.total(), 0u) << describe(r.errors);
    EXPECT_EQ(r.latency.count(), r.requests + r.unanswered + r.unsent);
    EXPECT_EQ(r.service.count(), r.requests + r.unanswered);
    // 10,000 req/s for 2 s, whatever the server does (a wide margin for a noisy machine).
    EXPECT_GT(r.latency.count(), 16'000u);
    EXPECT_LT(r.latency.count(), 24'000u);
    EXPECT_EQ(r.unanswered, loadgen::open_loop_max_in_flight);
    EXPECT_GT(r.unsent, 2'000u);
    // About half the window's requests waited up to the ~1 s stall: the p99 shows it.
    EXPECT_GT(r.latency.value_at_percentile(99), 600'000'000u);
    EXPECT_LT(r.latency.value_at_percentile(99), 1'500'000'000u);
    EXPECT_GT(r.latency.max(), 700'000'000u);
    EXPECT_EQ(server.terminate(), 0);
}

TEST(loadgen, closed_loop_records_the_requests_in_flight_when_the_window_closes) {
    server_process server(stalling_server(1000, 3000));
    ASSERT_NE(server.port(), 0);
    load_config config = short_run(server.port());
    config.connections = 4;
    config.pipeline = 2;
    config.duration = 1500ms;
    config.timeout = 5s;
    const load_result r = loadgen::run_load(config);
    EXPECT_EQ(r.errors.total(), 0u) << describe(r.errors);
    EXPECT_EQ(r.unanswered, 8u);  // every connection's pipeline, stalled
    EXPECT_EQ(r.unsent, 0u);
    EXPECT_EQ(r.latency.count(), r.requests + r.unanswered);
    EXPECT_GT(r.latency.max(), 400'000'000u);  // the ~700 ms of stall inside the window
    EXPECT_EQ(server.terminate(), 0);
}

// The median connect latency of a run with `connections` connections against `port`.
std::uint64_t connect_p50(std::uint16_t port, unsigned connections) {
    load_config config = short_run(port);
    config.connections = connections;
    config.threads = 1;
    config.pipeline = 1;
    config.warmup = 0s;
    config.duration = 100ms;
    const load_result r = loadgen::run_load(config);
    EXPECT_EQ(r.errors.total(), 0u) << describe(r.errors);
    EXPECT_EQ(r.connect_latency.count(), connections);
    return r.connect_latency.value_at_percentile(50);
}

TEST(loadgen, each_connect_is_timed_from_its_own_start) {
    // Timing the whole batch made the median grow with -c; each connect on its own does not.
    server_process server("select");
    ASSERT_NE(server.port(), 0);
    std::vector<std::uint64_t> single;
    for (int i = 0; i < 5; ++i) single.push_back(connect_p50(server.port(), 1));
    std::sort(single.begin(), single.end());
    const std::uint64_t one = single[single.size() / 2];
    const std::uint64_t many = connect_p50(server.port(), 256);
    // Within 2x of a single connect, plus 100 µs of slack for a noisy machine (the batch
    // figure was milliseconds).
    EXPECT_LT(many, 2 * one + 100'000) << "c=1: " << one << " ns, c=256: " << many << " ns";
    EXPECT_EQ(server.terminate(), 0);
}

TEST(loadgen, a_stop_request_ends_the_window_early_without_errors) {
    server_process server("select");
    ASSERT_NE(server.port(), 0);
    load_config config = short_run(server.port());
    config.warmup = 0s;
    config.duration = 30s;
    std::atomic<bool> stop{false};
    config.stop = &stop;
    std::thread stopper([&] {
        std::this_thread::sleep_for(1s);
        stop = true;
    });
    const auto started = std::chrono::steady_clock::now();
    const load_result r = loadgen::run_load(config);
    const auto took = std::chrono::steady_clock::now() - started;
    stopper.join();
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(r.errors.total(), 0u) << describe(r.errors);
    EXPECT_GT(r.requests, 0u);
    EXPECT_GT(r.measured, 500ms);
    EXPECT_LT(r.measured, 10s);
    EXPECT_LT(took, 20s);
    EXPECT_EQ(server.terminate(), 0);
}

}  // namespace
}  // namespace robotbench::test
