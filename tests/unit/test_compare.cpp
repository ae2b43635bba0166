// Reading result files back and comparing them: the JSON reader, the three file formats, and the
// verdicts of a comparison.

#include <gtest/gtest.h>

#include "harness/compare.hpp"
#include "harness/compare_report.hpp"
#include "harness/json.hpp"
#include "harness/result_files.hpp"

namespace robotbench {
namespace {

// compare reads JSON through nlohmann-json (harness/json.hpp): a strict parser whose errors name
// the byte offset.
TEST(json_reader, parses_nested_values_and_escapes) {
    const auto doc =
        parse_json(R"( {"a": [1, -2.5e3, true, null], "b": {"c": "x\"y\u00b5\ud83d\ude00"}} )");
    ASSERT_TRUE(doc.contains("a"));
    ASSERT_EQ(doc["a"].size(), 4u);
    EXPECT_EQ(doc["a"][1].get<double>(), -2500);
    EXPECT_TRUE(doc["a"][3].is_null());
    EXPECT_EQ(doc["b"]["c"].get<std::string>(), "x\"y\u00b5\U0001F600");
    EXPECT_FALSE(doc.contains("missing"));
}

TEST(json_reader, refuses_what_is_not_json_with_the_offset) {
    for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "01", "\"abc", "{} x", "nul", "1.e5"}) {
        EXPECT_THROW(parse_json(bad), std::runtime_error) << bad;
    }
    try {
        parse_json("[1, 2,, 3]");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("byte 6"), std::string::npos) << e.what();
    }
}

TEST(result_files, csv_fields_may_be_quoted) {
    const auto records = parse_csv("a,b,c\n1,\"x, \"\"y\"\"\",3\r\n\"multi\nline\",,\n");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1][1], "x, \"y\"");
    EXPECT_EQ(records[2][0], "multi\nline");
    EXPECT_EQ(records[2].size(), 3u);
}

constexpr const char* csv_header_line =
    "backend,scenario,status,connections,size_bytes,pipeline,rate_rps,throughput_rps,"
    "latency_p50_us,latency_p99_us,note\n";

TEST(result_files, a_run_csv_gives_its_measured_runs) {
    const auto file = results_from_text(
        std::string(csv_header_line) +
            "select,load,ok,8,64,1,0.0,150000.5,40.1,120.0,\n"
            "select,load,skipped,2000,64,1,0.0,n/a,n/a,n/a,\"FD_SETSIZE, too many\"\n"
            "n/a,load,errors,8,64,1,5000.0,4990.0,50.0,900.0,\n",
        "runs.csv");
    EXPECT_EQ(file.format, "CSV");
    ASSERT_EQ(file.runs.size(), 2u);
    EXPECT_EQ(file.left_out, 1u);
    EXPECT_EQ(file.runs[0].key.backend, "select");
    EXPECT_EQ(file.runs[0].key.connections, 8u);
    EXPECT_EQ(file.runs[0].figures.at("throughput_rps"), 150000.5);
    EXPECT_EQ(file.runs[0].figures.at("latency_p99_us"), 120.0);
    EXPECT_EQ(file.runs[0].figures.count("latency_p999_us"), 0u);  // no such column
    EXPECT_EQ(file.runs[1].key.backend, "");                       // a target
    EXPECT_EQ(file.runs[1].key.rate, 5000);
}

TEST(result_files, other_csvs_are_refused_by_name) {
    EXPECT_THROW(results_from_text("a,b\n1,2\n", "x.csv"), std::runtime_error);
    try {
        results_from_text("backend,target,scenario,connections,measured_runs\n", "sum.csv");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("summary CSV"), std::string::npos) << e.what();
    }
}

TEST(result_files, robotbench_json_and_google_benchmark_json) {
    const auto ours = results_from_text(R"({"environment": {}, "runs": [
        {"backend": "epoll", "scenario": "load", "status": "ok", "connections": 64,
         "size_bytes": 64, "pipeline": 16, "rate_rps": 0.0, "throughput_rps": 900000.0,
         "latency_p50_us": 500.0, "latency_p99_us": 900.0, "latency_p999_us": null},
        {"backend": "epoll", "scenario": "load", "status": "interrupted", "connections": 64,
         "size_bytes": 64, "pipeline": 16, "rate_rps": 0.0, "throughput_rps": 100.0}]})",
                                        "run.json");
    EXPECT_EQ(ours.format, "robotbench JSON");
    ASSERT_EQ(ours.runs.size(), 1u);
    EXPECT_EQ(ours.left_out, 1u);
    EXPECT_EQ(ours.runs[0].key.pipeline, 16u);
    EXPECT_EQ(ours.runs[0].figures.count("latency_p999_us"), 0u);  // null

    const auto ci = results_from_text(R"({"context": {}, "benchmarks": [
        {"name": "thread/c:8/size:64/P:1", "run_type": "iteration", "throughput_rps": 1000.0,
         "latency_p99_us": 50.0},
        {"name": "thread/c:8/size:64/P:1_median", "run_type": "aggregate",
         "throughput_rps": 1000.0},
        {"name": "io_uring/c:64/size:64/P:1/R:5000", "run_type": "iteration",
         "throughput_rps": 5000.0, "latency_p99_us": 80.0}]})",
                                      "ci.json");
    EXPECT_EQ(ci.format, "Google Benchmark JSON");
    ASSERT_EQ(ci.runs.size(), 2u);
    EXPECT_EQ(ci.runs[0].key.backend, "thread");
    EXPECT_EQ(ci.runs[0].key.connections, 8u);
    EXPECT_EQ(ci.runs[1].key.rate, 5000);
    EXPECT_THROW(results_from_text("{\"other\": 1}", "x.json"), std::runtime_error);
}

// A file with three runs of one cell at throughputs `t` and p99 `p`.
result_file three_runs(std::vector<double> t, std::vector<double> p,
                       std::string backend = "thread") {
    result_file f;
    f.path = backend + ".csv";
    for (std::size_t i = 0; i < t.size(); ++i) {
        result_run r;
        r.key = {backend, "load", 8, 64, 1, 0};
        r.status = "ok";
        r.figures = {{"throughput_rps", t[i]}, {"latency_p99_us", p[i]}};
        f.runs.push_back(r);
    }
    return f;
}

TEST(compare, a_30_percent_drop_with_disjoint_ranges_is_a_regression) {
    const auto a = three_runs({100'000, 101'000, 99'000}, {100, 101, 99});
    const auto b = three_runs({70'000, 71'000, 69'500}, {100, 102, 99});
    const auto c = compare_results(a, b, 10);
    ASSERT_EQ(c.cells.size(), 1u);
    const auto& metrics = c.cells[0].metrics;
    ASSERT_EQ(metrics.size(), 2u);  // throughput and p99: the figures both files have
    EXPECT_EQ(metrics[0].metric->column, "throughput_rps");
    EXPECT_EQ(metrics[0].verdict, change::regression);
    EXPECT_NEAR(metrics[0].ratio.ratio, 0.70, 1e-9);
    EXPECT_EQ(metrics[1].verdict, change::same);
    EXPECT_EQ(c.count(change::regression), 1u);
    const auto table = compare_table(c);
    EXPECT_NE(table.find("REGRESSION"), std::string::npos) << table;
    EXPECT_NE(table.find("1 regression and 0 improvements past 10%"), std::string::npos) << table;
    const auto json = compare_json(c);
    EXPECT_NE(json.find("\"verdict\": \"regression\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"regressions\": 1"), std::string::npos) << json;
}

TEST(compare, verdicts_follow_direction_and_threshold) {
    const auto make = [](double ratio, double low, double high) {
        return stats::ratio_interval{ratio, low, high, 0.95, 10000};
    };
    EXPECT_EQ(judge(make(0.95, 0.93, 0.97), true, 10, 3, 3), change::worse);
    EXPECT_EQ(judge(make(0.85, 0.80, 0.90), true, 10, 3, 3), change::regression);
    EXPECT_EQ(judge(make(1.30, 1.20, 1.40), false, 10, 3, 3), change::regression);  // latency up
    EXPECT_EQ(judge(make(1.30, 1.20, 1.40), true, 10, 3, 3), change::improvement);
    EXPECT_EQ(judge(make(0.70, 0.60, 1.05), true, 10, 3, 3), change::same);
    EXPECT_EQ(judge(make(0.70, 0.60, 0.80), true, 10, 2, 3), change::too_few_runs);
}

TEST(compare, cells_on_one_side_are_listed) {
    const auto a = three_runs({100, 100, 100}, {1, 1, 1}, "select");
    const auto b = three_runs({100, 100, 100}, {1, 1, 1}, "epoll");
    const auto c = compare_results(a, b, 10);
    EXPECT_TRUE(c.cells.empty());
    ASSERT_EQ(c.only_a.size(), 1u);
    EXPECT_EQ(cell_text(c.only_a[0]), "select c=8 size=64 P=1 closed");
    EXPECT_EQ(c.only_b[0].backend, "epoll");
}

}  // namespace
}  // namespace robotbench
