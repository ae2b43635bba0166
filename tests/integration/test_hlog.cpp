// Results over time, as a user reads them: the HdrHistogram interval log that HdrHistogram's own
// Java HistogramLogProcessor reads and agrees with, one log per sweep cell, and the per-second
// timeline (CSV and JSON) whose rows add up to the run and put errors in the second they
// happened.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "harness/hlog.hpp"
#include "support/command.hpp"
#include "support/files.hpp"
#include "support/scratch_test.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

namespace fs = std::filesystem;

class hlog_test : public scratch_test {};

// Lines of a file that are interval lines (not comments, not the legend).
std::vector<std::string> interval_lines(const fs::path& log) {
    std::vector<std::string> out;
    std::istringstream in(read_file(log));
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#' && line[0] != '"') out.push_back(line);
    return out;
}

// The HdrHistogram jar Debian's libhdrhistogram-java installs, and java; empty when missing.
std::string hdrhistogram_jar() {
    for (const char* jar : {"/usr/share/java/HdrHistogram.jar", "/usr/share/java/hdrhistogram.jar"})
        if (fs::exists(jar)) return jar;
    return {};
}
bool have_java() {
    return std::system("java -version >/dev/null 2>&1") == 0;
}

// Runs a command through sh with stderr joined to stdout.
outcome run_shell(const std::string& command) {
    child_process child(std::vector<std::string>{"/bin/sh", "-c", command + " 2>&1"});
    return collect(child, std::chrono::seconds(120));
}

// The quoted-or-not fields of one CSV line (HistogramLogProcessor quotes its header).
std::vector<std::string> fields(const std::string& line) {
    std::vector<std::string> out(1);
    for (char c : line) {
        if (c == ',')
            out.emplace_back();
        else if (c != '"')
            out.back() += c;
    }
    return out;
}

TEST_F(hlog_test, hdrhistograms_own_log_processor_reads_the_log_and_agrees_on_percentiles) {
    const auto jar = hdrhistogram_jar();
    if (jar.empty() || !have_java())
        GTEST_SKIP() << "needs java and HdrHistogram's jar (Debian: default-jre-headless, "
                        "libhdrhistogram-java); scripts/setup.sh installs them";
    const auto log = dir_ / "run.hlog";
    const auto csv = dir_ / "runs.csv";
    const auto r =
        run_robotbench({"run", "-b", "thread", "-c", "4", "-d", "2s", "--warmup", "200ms",
                        "--no-presence", "--hlog", log.string(), "--csv", csv.string()});
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(interval_lines(log).size(), 2u) << read_file(log);

    // Total_* of the last line: the whole log merged, in µs (-outputValueUnitRatio 1000).
    const auto out = dir_ / "processed";
    const auto java = run_shell("java -cp " + jar +
                                " org.HdrHistogram.HistogramLogProcessor -csv "
                                "-outputValueUnitRatio 1000 -i " +
                                log.string() + " -o " + out.string());
    ASSERT_EQ(java.status, 0) << java.output;
    std::istringstream lines(read_file(out));
    std::string header, line, last;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '#') continue;  // its comments
        if (header.empty())
            header = line;
        else
            last = line;
    }
    const auto names = fields(header);
    const auto values = fields(last);
    ASSERT_EQ(names.size(), values.size()) << header << "\n" << last;
    std::map<std::string, double> java_total;
    for (std::size_t i = 0; i < names.size(); ++i) java_total[names[i]] = std::stod(values[i]);

    const auto row = last_csv_row(csv);
    // Every value the window recorded: the replies and the requests unanswered when it closed.
    EXPECT_EQ(java_total.at("Total_Count"), number(row, "requests") + number(row, "unanswered"));
    // Our percentiles print the bucket's highest value capped at the largest value recorded,
    // HdrHistogram's the bucket's highest value; both within one bucket (1/1024), and ours are
    // rounded to 0.1 µs in the CSV.
    for (const auto& [ours, theirs] : {std::pair{"latency_p50_us", "Total_50%"},
                                       {"latency_p90_us", "Total_90%"},
                                       {"latency_p99_us", "Total_99%"},
                                       {"latency_p999_us", "Total_99.9%"},
                                       {"latency_max_us", "Total_Max"}}) {
        const double v = number(row, ours);
        EXPECT_NEAR(java_total.at(theirs), v, v / 1024 + 0.051) << ours << " vs " << theirs;
    }
}

TEST_F(hlog_test, intervals_follow_hlog_interval_and_add_up_to_the_runs_latency_count) {
    // 1.5 s in lines of 250 ms: six lines; the timeline's second second is half a second long.
    const auto log = dir_ / "run.hlog";
    const auto csv = dir_ / "runs.csv";
    const auto timeline = dir_ / "timeline.csv";
    const auto r =
        run_robotbench({"run", "-b", "epoll", "-c", "2", "-d", "1500ms", "--warmup", "100ms",
                        "--no-presence", "--hlog", log.string(), "--hlog-interval", "250ms",
                        "--csv", csv.string(), "--timeline", timeline.string()});
    ASSERT_EQ(r.status, 0) << r.output;
    const auto text = read_file(log);
    EXPECT_NE(text.find("#[StartTime: "), std::string::npos) << text;
    EXPECT_NE(text.find("#[BaseTime: "), std::string::npos) << text;
    const auto lines = interval_lines(log);
    ASSERT_EQ(lines.size(), 6u) << text;
    std::uint64_t total = 0;
    for (std::size_t k = 0; k < lines.size(); ++k) {
        const auto f = fields(lines[k]);
        ASSERT_EQ(f.size(), 4u) << lines[k];
        EXPECT_NEAR(std::stod(f[0]), 0.25 * double(k), 1e-9) << lines[k];
        // Its length: what the window covered of it (the first starts when the window opened,
        // at the generator's first loop pass after the warm-up).
        EXPECT_NEAR(std::stod(f[1]), 0.25, 0.05) << lines[k];
        const auto h = decode_compressed_base64(f[3]);
        ASSERT_TRUE(h) << lines[k];
        std::uint64_t n = 0;
        for (auto c : h->counts) n += c;
        EXPECT_GT(n, 0u) << "interval " << k;
        total += n;
    }
    const auto row = last_csv_row(csv);
    EXPECT_EQ(double(total), number(row, "requests") + number(row, "unanswered"));

    const auto seconds = read_csv(timeline);
    ASSERT_EQ(seconds.size(), 2u) << read_file(timeline);
    EXPECT_EQ(number(seconds[0], "requests") + number(seconds[1], "requests"),
              number(row, "requests"));
    // Each second's throughput is its requests over its true length: 1 s, then 0.5 s (each to
    // within the generator's loop passes at the window's edges).
    EXPECT_NEAR(number(seconds[0], "throughput_rps"), number(seconds[0], "requests"),
                number(seconds[0], "requests") * 0.05 + 0.1);
    EXPECT_NEAR(number(seconds[1], "throughput_rps"), 2 * number(seconds[1], "requests"),
                number(seconds[1], "requests") * 0.2 + 0.1);
}

TEST_F(hlog_test, timeline_has_one_row_a_second_adding_up_and_errors_in_their_second) {
    // The fake server corrupts every reply from 1.3 s to 1.7 s after the first request; with no
    // warm-up that is inside the window's second 2, 300 ms from either edge.
    server_process server(std::vector<std::string>{ROBOTBENCH_FAKE_SERVER_EXE, "--mode=garble",
                                                   "--port=0", "--stall-after-ms=1300",
                                                   "--stall-ms=400"});
    ASSERT_NE(server.port(), 0);
    const auto timeline = dir_ / "timeline.csv";
    const auto csv = dir_ / "runs.csv";
    const auto json = dir_ / "runs.json";
    const auto r =
        run_robotbench({"load", "--target", "127.0.0.1:" + std::to_string(server.port()), "-c", "4",
                        "-d", "3s", "--warmup", "0s", "--no-presence", "--timeline",
                        timeline.string(), "--csv", csv.string(), "--json", json.string()});
    EXPECT_EQ(r.status, 1) << r.output;  // errors were counted
    const auto rows = read_csv(timeline);
    ASSERT_EQ(rows.size(), 3u) << read_file(timeline);
    const auto run = last_csv_row(csv);
    double requests = 0, errors = 0;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        EXPECT_EQ(number(rows[k], "second"), double(k + 1));
        EXPECT_EQ(rows[k].at("backend"), "target");
        EXPECT_EQ(number(rows[k], "connections"), 4);
        EXPECT_EQ(number(rows[k], "repeat"), 1);
        EXPECT_GT(number(rows[k], "requests"), 0) << "second " << k + 1;
        EXPECT_GT(number(rows[k], "p99_us"), 0) << "second " << k + 1;
        EXPECT_GE(number(rows[k], "p99_us"), number(rows[k], "p50_us"));
        EXPECT_EQ(number(rows[k], "online"), 4) << "second " << k + 1;
        requests += number(rows[k], "requests");
        errors += number(rows[k], "errors");
    }
    EXPECT_EQ(requests, number(run, "requests"));
    EXPECT_EQ(number(rows[0], "errors"), 0);
    EXPECT_GT(number(rows[1], "errors"), 0);
    EXPECT_EQ(number(rows[2], "errors"), 0);
    EXPECT_EQ(errors, number(run, "errors"));
    EXPECT_EQ(number(run, "errors"), number(run, "errors_wrong"));

    // The JSON holds the same seconds.
    const auto doc = nlohmann::json::parse(read_file(json));
    ASSERT_EQ(doc.at("runs").size(), 1u);
    const auto& seconds = doc.at("runs").at(0).at("timeline");
    ASSERT_EQ(seconds.size(), 3u);
    for (std::size_t k = 0; k < 3; ++k) {
        const auto& s = seconds.at(k);
        for (const char* key :
             {"second", "requests", "throughput_rps", "p50_us", "p99_us", "errors", "online"})
            ASSERT_TRUE(s.contains(key) && s.at(key).is_number()) << key;
        EXPECT_EQ(s.at("second").get<double>(), double(k + 1));
        EXPECT_EQ(s.at("requests").get<double>(), number(rows[k], "requests"));
        EXPECT_EQ(s.at("errors").get<double>(), number(rows[k], "errors"));
        EXPECT_NEAR(s.at("p99_us").get<double>(), number(rows[k], "p99_us"), 0.001);
        EXPECT_GT(s.at("throughput_rps").get<double>(), 0);
    }
    EXPECT_EQ(server.terminate(), 0);
}

TEST_F(hlog_test, a_sweep_writes_one_log_per_cell_and_every_cells_seconds_to_one_timeline) {
    const auto timeline = dir_ / "timeline.csv";
    const auto r =
        run_robotbench({"sweep", "-b", "thread", "-c", "2,4", "--repeat", "2", "-d", "500ms",
                        "--warmup", "100ms", "--no-presence", "--no-csv", "--hlog",
                        (dir_ / "logs" / "lat.hlog").string(), "--timeline", timeline.string()});
    ASSERT_EQ(r.status, 0) << r.output;
    for (const char* name : {"lat-thread-c2-s64-P1-1.hlog", "lat-thread-c2-s64-P1-2.hlog",
                             "lat-thread-c4-s64-P1-1.hlog", "lat-thread-c4-s64-P1-2.hlog"}) {
        const auto path = dir_ / "logs" / name;
        ASSERT_TRUE(fs::exists(path)) << path;
        EXPECT_EQ(interval_lines(path).size(), 1u) << read_file(path);
    }
    const auto rows = read_csv(timeline);
    ASSERT_EQ(rows.size(), 4u) << read_file(timeline);
    for (std::size_t k = 0; k < 4; ++k) {
        EXPECT_EQ(number(rows[k], "connections"), k < 2 ? 2 : 4) << k;
        EXPECT_EQ(number(rows[k], "repeat"), double(k % 2 + 1)) << k;
        EXPECT_EQ(number(rows[k], "second"), 1) << k;
    }
}

TEST_F(hlog_test, repeats_write_one_log_each) {
    const auto r = run_robotbench({"run", "-b", "thread", "-c", "2", "-d", "500ms", "--warmup",
                                   "100ms", "--no-presence", "--no-csv", "--repeat", "2", "--hlog",
                                   (dir_ / "x.hlog").string()});
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(fs::exists(dir_ / "x-1.hlog"));
    EXPECT_TRUE(fs::exists(dir_ / "x-2.hlog"));
    EXPECT_FALSE(fs::exists(dir_ / "x.hlog"));
}

TEST_F(hlog_test, an_interval_that_does_not_fit_whole_seconds_is_a_usage_error) {
    const auto r = run_robotbench(
        {"run", "-b", "thread", "--hlog", (dir_ / "x.hlog").string(), "--hlog-interval", "333ms"});
    EXPECT_EQ(r.status, 2) << r.output;
    ASSERT_EQ(r.lines.size(), 1u) << r.output;
    EXPECT_NE(r.output.find("--hlog-interval"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace robotbench::test
