// The report for people: numbers with units, aligned tables, a verdict that names what failed,
// and the warnings about a generator-bound run.

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/bottleneck.hpp"
#include "harness/report_table.hpp"
#include "harness/status_line.hpp"
#include "harness/text_table.hpp"
#include "harness/units.hpp"

namespace robotbench {
namespace {

using namespace std::chrono_literals;

// The text with every run of spaces made one, so checks do not depend on column widths.
std::string squeezed(const std::string& text) {
    std::string out;
    for (const char c : text)
        if (c != ' ' || out.empty() || out.back() != ' ') out += c;
    return out;
}

// A clean closed-loop run of the select backend, as a report would get it.
run_record clean_run() {
    run_record r;
    r.timestamp = "2024-01-02T03:04:05Z";
    r.git_revision = "abc123";
    r.backend = "select";
    r.target = "127.0.0.1:4000";
    r.options.load.threads = 2;
    r.loaded = true;
    r.requests = 500'000;
    r.measured_s = 5.0;
    r.latency = {500'000, 9'000, 45'100, 60'000, 120'000, 900'000, 2'000'000, 3'000'000, 47'000};
    r.service = r.latency;
    r.connects = 64;
    r.connect_latency = {64, 50'000, 80'000, 90'000, 100'000, 100'000, 100'000, 100'000, 81'000};
    server_cost s;
    s.user_s = 0.5;
    s.sys_s = 2.0;
    s.peak_memory_kib = 2048;
    s.voluntary_switches = 1234;
    s.involuntary_switches = 56;
    s.peak_threads = 2;
    s.peak_processes = 1;
    r.server = s;
    r.generator_cpu = loadgen::cpu_times{0.4, 2.4};
    r.generator_window_cpu_s = 2.0;
    r.presence.state = presence_state::passed;
    r.presence.checks = 24;
    r.presence.max_convergence_ns = 3'200'000;
    r.presence.median_convergence_ns = 400'000;
    return r;
}

TEST(units, latencies_have_three_significant_digits_and_a_unit) {
    EXPECT_EQ(format_latency(850), "850 ns");
    EXPECT_EQ(format_latency(1'000), "1.00 µs");
    EXPECT_EQ(format_latency(45'120), "45.1 µs");
    EXPECT_EQ(format_latency(123'456), "123 µs");
    EXPECT_EQ(format_latency(1'234'000), "1.23 ms");
    EXPECT_EQ(format_latency(999'700), "1.00 ms");
    EXPECT_EQ(format_latency(2'000'000'000), "2.00 s");
    EXPECT_EQ(format_latency(60'000'000'000), "60.0 s");
}

TEST(units, counts_and_memory) {
    EXPECT_EQ(format_count(0), "0");
    EXPECT_EQ(format_count(999), "999");
    EXPECT_EQ(format_count(1'000), "1,000");
    EXPECT_EQ(format_count(1'234'567), "1,234,567");
    EXPECT_EQ(format_rate(123'456.6), "123,457");
    EXPECT_EQ(format_memory(512), "512 KiB");
    EXPECT_EQ(format_memory(9'876), "9,876 KiB");
    EXPECT_EQ(format_memory(12'595), "12.3 MiB");
}

TEST(text_table, aligns_columns_counting_code_points) {
    text_table t;
    t.add_row({"name", "p50"});
    t.add_row({"a", "45.1 µs"});
    t.add_row({"longer", "1.23 ms"});
    EXPECT_EQ(t.render(),
              "name        p50\n"
              "a       45.1 µs\n"
              "longer  1.23 ms\n");
    text_table labels(text_table::layout::labels);
    labels.add_row({"Errors", "none"});
    labels.add_row({"Throughput", "10 req/s"});
    EXPECT_EQ(labels.render("  "),
              "  Errors      none\n"
              "  Throughput  10 req/s\n");
}

TEST(report, a_clean_run_shows_every_figure_with_its_unit) {
    const auto text = squeezed(run_report(clean_run()));
    for (const char* expected :
         {"select backend, load, 64 connections, 2 generator threads", "closed loop",
          "64-byte payloads", "1s warm-up + 5s measured", "round trip", "45.1 µs", "120 µs",
          "100,000 req/s", "Errors none", "0.50 s user + 2.00 s sys = 2.50 s", "5.00 µs/request",
          "2,048 KiB peak (PSS", "peak 2 threads, 1 process", "1,234 voluntary, 56 involuntary",
          "4.00 µs/request in the measured window", "24 of 24 checks passed",
          "max 3.20 ms, median 400 µs", "Result OK"}) {
        EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
    }
    EXPECT_EQ(text.find("FAILED"), std::string::npos);
    EXPECT_EQ(text.find("service time"), std::string::npos);  // closed loop: one latency row
}

TEST(report, an_open_loop_run_shows_both_latencies_and_the_lag) {
    auto r = clean_run();
    r.options.load.rate = 20'000;
    r.service.p50 = 30'000;
    r.max_lag_ns = 1'500'000;
    const auto text = squeezed(run_report(r));
    for (const char* expected : {"open loop at 20,000 req/s", "from schedule", "service time",
                                 "30.0 µs", "max 1.50 ms behind"})
        EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
}

TEST(report, a_failed_run_says_so_and_names_the_error_kinds) {
    auto r = clean_run();
    r.errors.wrong = 2;
    r.errors.missing = 1;
    r.presence.state = presence_state::failed;
    r.presence.failures = 3;
    r.presence.details = {"after wave 2: /online expected 41, last seen 40"};
    r.problems = {"the select server was killed by signal 11 (Segmentation fault) during the run"};
    const auto text = squeezed(run_report(r));
    for (const char* expected :
         {"Errors 3 (wrong 2, missing 1)", "FAILED: the select server was killed",
          "3 errors (wrong 2, missing 1)", "3 of 24 presence checks failed",
          "presence failure: after wave 2: /online expected 41"})
        EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
    EXPECT_EQ(r.status(), "failed");
}

TEST(report, an_outside_target_has_no_server_cost_and_a_skipped_check_says_why) {
    auto r = clean_run();
    r.backend.clear();
    r.server.reset();
    r.presence = {};
    r.presence.state = presence_state::skipped;
    r.presence.note = "the server does not answer /online";
    const auto text = squeezed(run_report(r));
    EXPECT_NE(text.find("server at 127.0.0.1:4000"), std::string::npos) << text;
    EXPECT_NE(text.find("Server cost n/a"), std::string::npos) << text;
    EXPECT_NE(text.find("skipped: the server does not answer /online"), std::string::npos);
    EXPECT_NE(text.find("Result OK"), std::string::npos) << text;
}

TEST(report, error_kinds_lists_only_what_happened) {
    loadgen::error_counts e;
    EXPECT_EQ(error_kinds(e), "");
    e.connect = 1;
    e.reordered = 1'500;
    EXPECT_EQ(error_kinds(e), "connect 1, reordered 1,500");
}

TEST(comparison, one_row_per_backend) {
    auto fork = clean_run();
    fork.backend = "fork";
    fork.errors.closed = 4;
    auto broken = clean_run();
    broken.backend = "libuv";
    broken.loaded = false;
    broken.problems = {"did not start"};
    const std::vector<run_record> runs{clean_run(), fork, broken};
    const auto text = squeezed(comparison_table(runs));
    const auto lines = std::count(text.begin(), text.end(), '\n');
    EXPECT_EQ(lines, 4) << text;
    EXPECT_NE(text.find("select ok 100,000 req/s 45.1 µs 120 µs 900 µs 3.00 ms 0 5.00 µs/request "
                        "2,048 KiB passed"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("fork errors"), std::string::npos) << text;
    EXPECT_NE(text.find("libuv failed n/a"), std::string::npos) << text;
}

TEST(bottleneck, warns_when_the_generator_costs_as_much_as_the_server) {
    auto r = clean_run();  // generator 4 µs/request, server 5 µs/request, threads 40% busy
    EXPECT_TRUE(bottleneck_warnings(r, 2).empty());
    r.generator_window_cpu_s = 3.0;  // 6 µs/request
    const auto w = bottleneck_warnings(r, 2);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find("6.00 µs of CPU per request and the server 5.00 µs (1.20x"),
              std::string::npos)
        << w[0];
}

TEST(bottleneck, equal_costs_warn_whatever_the_rounding) {
    // 3.00 µs against 3.00 µs warned and 4.40 against 4.40 did not (a strict comparison of sums
    // that round differently): with a margin both warn, and the ratio is stated.
    struct costs {
        double server_user, server_sys, generator;
    };
    for (const auto& [user, sys, generator] : {costs{0.1, 0.2, 0.3}, costs{0.3, 0.14, 0.44}}) {
        auto r = clean_run();
        r.requests = 100'000;
        r.server->user_s = user;
        r.server->sys_s = sys;
        r.generator_window_cpu_s = generator;
        const auto w = bottleneck_warnings(r, 2);
        ASSERT_EQ(w.size(), 1u) << user << " + " << sys;
        EXPECT_NE(w[0].find("(1.00x, warning from 0.90x)"), std::string::npos) << w[0];
    }
}

TEST(report, the_generator_server_cpu_ratio_is_always_shown) {
    const auto text = squeezed(run_report(clean_run()));  // 2.0 s against 2.5 s
    EXPECT_NE(text.find("(0.80x the server's CPU)"), std::string::npos) << text;
}

TEST(report, the_requests_the_window_left_unanswered_are_named) {
    auto r = clean_run();
    r.unanswered = 64;
    auto text = squeezed(run_report(r));
    EXPECT_NE(text.find("Unanswered 64 sent and not yet answered when the window closed"),
              std::string::npos)
        << text;
    r.options.load.rate = 10'000;
    r.unanswered = 4'096;
    r.unsent = 22'504;
    text = squeezed(run_report(r));
    EXPECT_NE(text.find("4,096 sent and not yet answered, 22,504 due and never sent"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("open loop at 10,000 req/s, up to 4,096 requests in flight per "
                        "connection"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("pipeline 1"), std::string::npos) << text;
}

TEST(report, an_interrupted_run_says_how_much_was_measured) {
    auto r = clean_run();
    r.interrupted = true;
    r.measured_s = 1.5;
    r.options.load.duration = 30s;
    const auto text = squeezed(run_report(r));
    EXPECT_NE(text.find("Result INTERRUPTED after 1.50 s of the 30s measured window"),
              std::string::npos)
        << text;
    EXPECT_EQ(r.status(), "interrupted");
}

TEST(bottleneck, in_open_loop_the_schedule_not_the_cpu_is_the_sign) {
    auto r = clean_run();
    r.options.load.rate = 100'000;
    r.generator_window_cpu_s = 3.0;  // more CPU per request than the server: the rate set the pace
    EXPECT_TRUE(bottleneck_warnings(r, 2).empty());
    r.max_lag_ns = 25'000'000;
    const auto w = bottleneck_warnings(r, 2);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find("fell up to 25.0 ms behind"), std::string::npos) << w[0];
}

TEST(bottleneck, warns_when_the_generator_threads_were_saturated) {
    auto r = clean_run();
    r.server.reset();                // an outside target: only the generator is known
    r.generator_window_cpu_s = 9.5;  // 2 threads over 5 s: 95% busy
    const auto w = bottleneck_warnings(r, 2);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_NE(w[0].find("2 threads were 95% busy"), std::string::npos) << w[0];
}

TEST(status_line, shows_rate_p99_and_errors) {
    loadgen::progress p;
    p.elapsed = 3s;
    p.requests_per_s = 12'345.4;
    p.p99_ns = 45'100;
    p.errors = 2;
    EXPECT_EQ(status_text("thread", p),
              "[thread] 3s measured: 12,345 req/s, p99 45.1 µs, 2 errors");
    p.warming_up = true;
    EXPECT_EQ(status_text("thread", p), "[thread] 3s warming up: 12,345 req/s, p99 n/a, 2 errors");
}

}  // namespace
}  // namespace robotbench
