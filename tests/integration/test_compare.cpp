// `robotbench compare` as a user runs it: two result files, a table, --json, and the exit status
// that says whether a significant regression past the threshold was found.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "support/command.hpp"
#include "support/files.hpp"
#include "support/scratch_test.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

namespace fs = std::filesystem;

class compare_test : public scratch_test {
  protected:
    // A sweep-like CSV: 4 backends x 2 connection counts, 3 runs each, every figure within ±3%
    // of its cell's level (a fixed seed per file); `slow` is scaled by `scale` (throughput down,
    // latency up by its inverse).
    fs::path sweep(const std::string& name, unsigned seed, const std::string& slow = "",
                   double scale = 1.0) {
        const auto path = dir_ / name;
        std::ofstream out(path);
        out << "timestamp,backend,scenario,status,connections,size_bytes,pipeline,rate_rps,"
               "throughput_rps,latency_p50_us,latency_p99_us,latency_p999_us,note\n";
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> noise(0.97, 1.03);
        double level = 50'000;
        for (const char* backend : {"select", "thread", "epoll", "io_uring"}) {
            for (const unsigned conns : {8u, 64u}) {
                level *= 1.1;
                const bool planted = slow == std::string(backend) + "/" + std::to_string(conns);
                for (int run = 0; run < 3; ++run) {
                    const double t = level * noise(rng) * (planted ? scale : 1.0);
                    const double p = 1e6 / level * conns * noise(rng) / (planted ? scale : 1.0);
                    out << "2026-01-01T00:00:00Z," << backend << ",load,ok," << conns
                        << ",64,1,0.0," << t << "," << p / 2 << "," << p << "," << p * 2 << ",\n";
                }
            }
        }
        out << "2026-01-01T00:00:00Z,select,load,skipped,2000,64,1,0.0,n/a,n/a,n/a,n/a,"
               "\"select serves at most 1018 clients, FD_SETSIZE\"\n";
        return path;
    }

};

TEST_F(compare_test, a_planted_30_percent_regression_is_found_and_nothing_else) {
    const auto base = sweep("base.csv", 1);
    const auto slow = sweep("slow.csv", 2, "epoll/64", 0.7);
    const auto json = dir_ / "compare.json";
    const auto result =
        run_robotbench({"compare", base.string(), slow.string(), "--json", json.string()});
    EXPECT_EQ(result.status, 1) << result.output;
    std::vector<std::string> regressions;
    for (const auto& line : result.lines)
        if (line.find("REGRESSION") != std::string::npos) regressions.push_back(line);
    // Throughput down and p50, p99, p99.9 up: four metrics of the one cell, no other cell.
    EXPECT_EQ(regressions.size(), 4u) << result.output;
    const auto cell = result.output.find("epoll c=64 size=64 P=1 closed");
    ASSERT_NE(cell, std::string::npos) << result.output;
    EXPECT_NE(result.output.find("REGRESSION", cell), std::string::npos);
    EXPECT_EQ(result.output.find("REGRESSION"), result.output.find("REGRESSION", cell))
        << "a regression before the planted cell:\n"
        << result.output;
    EXPECT_NE(result.output.find("4 regressions and 0 improvements past 10% in 8 cells"),
              std::string::npos)
        << result.output;
    const auto doc = read_file(json);
    EXPECT_NE(doc.find("\"regressions\": 4"), std::string::npos) << doc;
    EXPECT_NE(doc.find("\"verdict\": \"regression\""), std::string::npos);
    EXPECT_NE(doc.find("\"ratio_ci_high\": "), std::string::npos);
}

TEST_F(compare_test, noise_alone_is_not_flagged) {
    const auto base = sweep("base.csv", 1);
    const auto noisy = sweep("noisy.csv", 3);
    const auto result = run_robotbench({"compare", base.string(), noisy.string()});
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_EQ(result.output.find("REGRESSION"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("0 regressions and 0 improvements past 10% in 8 cells"),
              std::string::npos)
        << result.output;
    // A stricter threshold does not turn noise into regressions: it must be significant first.
    const auto strict =
        run_robotbench({"compare", base.string(), noisy.string(), "--threshold", "1%"});
    EXPECT_EQ(strict.status, strict.output.find("REGRESSION") == std::string::npos ? 0 : 1);
}

TEST_F(compare_test, a_run_compared_with_itself_across_csv_and_json_is_the_same) {
    const auto csv = dir_ / "runs.csv", json = dir_ / "runs.json";
    const auto run = run_robotbench({"run", "--backend=epoll", "--repeat=3", "-d", "200ms",
                                     "--warmup", "100ms", "-c", "4", "--no-presence", "--csv",
                                     csv.string(), "--json", json.string()});
    ASSERT_EQ(run.status, 0) << run.output;
    const auto result = run_robotbench({"compare", csv.string(), json.string()});
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("epoll c=4 size=64 P=1 closed"), std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("1.000"), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find("REGRESSION"), std::string::npos) << result.output;
}

TEST_F(compare_test, bad_input_is_one_line_and_exit_2) {
    const auto base = sweep("base.csv", 1);
    const auto missing = run_robotbench({"compare", base.string(), (dir_ / "nope.csv").string()});
    EXPECT_EQ(missing.status, 2);
    ASSERT_EQ(missing.lines.size(), 1u) << missing.output;
    EXPECT_NE(missing.output.find("nope.csv"), std::string::npos);

    std::ofstream(dir_ / "other.csv") << "a,b\n1,2\n";
    const auto other = run_robotbench({"compare", base.string(), (dir_ / "other.csv").string()});
    EXPECT_EQ(other.status, 2);
    EXPECT_NE(other.output.find("not a robotbench CSV"), std::string::npos) << other.output;

    const auto one = run_robotbench({"compare", base.string()});
    EXPECT_EQ(one.status, 2) << one.output;

    const auto threshold =
        run_robotbench({"compare", base.string(), base.string(), "--threshold", "-5"});
    EXPECT_EQ(threshold.status, 2) << threshold.output;

    std::ofstream(dir_ / "elsewhere.csv")
        << "backend,scenario,status,connections,size_bytes,pipeline,rate_rps,throughput_rps\n"
           "fork,load,ok,3,64,1,0,1000\n";
    const auto disjoint =
        run_robotbench({"compare", base.string(), (dir_ / "elsewhere.csv").string()});
    EXPECT_EQ(disjoint.status, 2) << disjoint.output;
    EXPECT_NE(disjoint.output.find("share no cell"), std::string::npos) << disjoint.output;
}

}  // namespace
}  // namespace robotbench::test
