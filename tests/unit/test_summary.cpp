// The summary of a cell's repeats: medians and their intervals, the noisy flag, the summary
// columns, the closing table, the repeat rule of --until-ci; and the machine-noise parsers.

#include <gtest/gtest.h>

#include <map>

#include "harness/cell_summary.hpp"
#include "harness/csv_writer.hpp"
#include "harness/noise.hpp"
#include "harness/summary_columns.hpp"
#include "harness/sweep.hpp"

namespace robotbench {
namespace {

// A measured run of `backend` with 64 connections at this throughput and p99.
run_record measured(const std::string& backend, double throughput, std::uint64_t p99_ns) {
    run_record r;
    r.backend = backend;
    r.target = "127.0.0.1:1";
    r.options.load.connections = 64;
    r.loaded = true;
    r.measured_s = 1.0;
    r.requests = static_cast<std::uint64_t>(throughput);
    r.latency.count = r.requests;
    r.latency.p50 = p99_ns / 2;
    r.latency.p99 = p99_ns;
    return r;
}

TEST(cell_summary, medians_intervals_and_the_noisy_flag) {
    std::vector<run_record> runs{
        measured("select", 100'000, 50'000), measured("select", 90'000, 70'000),
        measured("select", 110'000, 60'000), measured("epoll", 150'000, 40'000)};
    runs.push_back(measured("epoll", 1, 1));
    runs.back().interrupted = true;  // does not count
    const auto cells = summarize_cells(runs);
    ASSERT_EQ(cells.size(), 2u);
    const auto& select = cells[0];
    EXPECT_EQ(select.measured, 3u);
    EXPECT_EQ(select.throughput()->median, 100'000);
    EXPECT_EQ(select.throughput()->low, 90'000);
    EXPECT_EQ(select.throughput()->high, 110'000);
    EXPECT_EQ(select.metric("latency_p99_us")->median, 60);
    EXPECT_DOUBLE_EQ(select.throughput_spread_pct, 20.0);
    EXPECT_TRUE(select.noisy());
    EXPECT_EQ(cells[1].runs, 2u);
    EXPECT_EQ(cells[1].measured, 1u);
    EXPECT_EQ(cells[1].statuses, "interrupted, ok");

    std::map<std::string, std::string> row;
    for (const auto& [name, value] : summary_fields(select)) row[name] = csv_field(value);
    EXPECT_EQ(row["throughput_rps"], "100000.0");
    EXPECT_EQ(row["throughput_rps_ci_low"], "90000.0");
    EXPECT_EQ(row["throughput_rps_ci_high"], "110000.0");
    EXPECT_EQ(row["latency_p99_us_ci_low"], "50.0");
    EXPECT_EQ(row["ci_confidence"], "0.7500");
    EXPECT_EQ(row["noisy"], "yes");
    const auto header = summary_csv_header();
    for (const char* column : {"throughput_rps_ci_high", "latency_p50_us_ci_low",
                               "latency_p999_us_ci_high", "latency_p9999_us", "measured_runs"})
        EXPECT_NE(header.find(column), std::string::npos) << column;
}

TEST(cell_summary, the_closing_table_shows_plus_minus_and_flags_noise) {
    std::vector<run_record> runs{measured("select", 100'000, 50'000),
                                 measured("select", 90'000, 70'000),
                                 measured("select", 110'000, 60'000)};
    const auto text = sweep_summary(runs);
    EXPECT_NE(text.find("100.0k ± 10.0k req/s"), std::string::npos) << text;
    EXPECT_NE(text.find("60.0 µs ± 10.0 µs"), std::string::npos) << text;
    EXPECT_NE(text.find("20.0% noisy"), std::string::npos) << text;
    EXPECT_NE(text.find("3 runs: 75.0%"), std::string::npos) << text;
}

TEST(cell_summary, until_ci_repeats_until_the_interval_is_narrow) {
    run_options o;
    std::vector<run_record> runs;
    for (int i = 0; i < 3; ++i) runs.push_back(measured("thread", 100'000, 1));
    EXPECT_FALSE(wants_another_run(3, o, runs));  // no --until-ci: exactly --repeat
    o.until_ci_pct = 2;
    o.max_repeat = 10;
    EXPECT_TRUE(wants_another_run(3, o, runs));  // a 95% interval takes six runs
    for (int i = 0; i < 3; ++i) runs.push_back(measured("thread", 100'000 + i * 100, 1));
    EXPECT_FALSE(wants_another_run(3, o, runs));  // six runs within 0.2%
    runs.push_back(measured("thread", 50'000, 1));
    runs.push_back(measured("thread", 150'000, 1));
    o.until_ci_pct = 0.01;
    EXPECT_TRUE(wants_another_run(3, o, runs));
    runs.push_back(measured("thread", 1, 1));
    runs.back().loaded = false;  // a failed run ends the extra runs
    EXPECT_FALSE(wants_another_run(3, o, runs));
    runs.back().loaded = true;
    runs.push_back(measured("thread", 100'000, 1));
    runs.push_back(measured("thread", 100'000, 1));
    EXPECT_EQ(runs.size(), 11u);
    EXPECT_FALSE(wants_another_run(3, o, runs));  // --max-repeat reached
    EXPECT_EQ(planned_runs(3, o), 10u);
}

TEST(noise, load_average_and_governors) {
    EXPECT_EQ(parse_load_average("0.52 0.31 0.20 1/123 4567\n"), 0.52);
    EXPECT_FALSE(parse_load_average(""));
    EXPECT_FALSE(parse_load_average("x 1 2"));
    EXPECT_EQ(governor_text({"performance", "performance"}), "performance");
    EXPECT_EQ(governor_text({"performance", "powersave", "performance"}), "performance/powersave");
    EXPECT_EQ(governor_text({}), "");
    const auto now = read_machine_noise();
    ASSERT_TRUE(now.load_average);  // Linux always has /proc/loadavg
    EXPECT_GE(*now.load_average, 0.0);
}

}  // namespace
}  // namespace robotbench
