// robotbench under `mpirun -np 3` on this machine, as a user runs it: the ranks share the load,
// rank 0 writes the merged results (totals, timeline, interval log), the ranks start together,
// the presence check counts every rank's clients, and a rank that cannot connect fails the run in
// good time.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/hlog.hpp"
#include "support/command.hpp"
#include "support/files.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

using namespace std::chrono_literals;

constexpr int ranks = 3;

// `mpirun --allow-run-as-root --oversubscribe -np N robotbench ARGS...` (and more MPMD parts
// after ":"), output joined.
outcome run_mpi(const std::vector<std::vector<std::string>>& parts, std::chrono::seconds timeout) {
    std::vector<std::string> argv{
        "/bin/sh",        "-c", "exec \"$0\" \"$@\" 2>&1", ROBOTBENCH_MPIRUN, "--allow-run-as-root",
        "--oversubscribe"};
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) argv.push_back(":");
        argv.insert(argv.end(), parts[i].begin(), parts[i].end());
    }
    child_process child(argv);
    return collect(child, timeout);
}

std::string fmt_target(std::uint16_t port) {
    return "127.0.0.1:" + std::to_string(port);
}

std::vector<std::string> ranks_running(int n, std::vector<std::string> args) {
    args.insert(args.begin(), {"-np", std::to_string(n), robotbench_exe()});
    return args;
}

using json = nlohmann::json;

// The one run of a JSON results file.
json only_run(const std::filesystem::path& path) {
    const auto doc = json::parse(read_file(path), nullptr, false);
    if (doc.is_discarded() || !doc.contains("runs") || doc.at("runs").size() != 1) {
        ADD_FAILURE() << "no single run in " << path;
        return json::object();
    }
    return doc.at("runs").at(0);
}

double number_of(const json& v, std::string_view key) {
    const auto member = v.find(key);
    if (member == v.end() || !member->is_number()) {
        ADD_FAILURE() << key << " is not a number";
        return -1;
    }
    return member->get<double>();
}

// The text member `key`, or "" when there is none.
std::string text_of(const json& v, std::string_view key) {
    const auto member = v.find(key);
    return member != v.end() && member->is_string() ? member->get<std::string>() : std::string();
}

class mpi_run : public testing::Test {
  protected:
    scratch_dir dir_{"robotbench-mpi"};
};

TEST_F(mpi_run, three_ranks_share_the_load_and_rank_0_writes_the_merged_results) {
    server_process server("epoll");
    ASSERT_NE(server.port(), 0);
    const auto json = dir_.path() / "runs.json", csv = dir_.path() / "runs.csv";
    const auto out =
        run_mpi({ranks_running(
                    ranks, {"load", "--target", fmt_target(server.port()), "-c", "7", "-d", "1s",
                            "--warmup", "200ms", "--json", json.string(), "--csv", csv.string()})},
                120s);
    ASSERT_EQ(out.status, 0) << out.output;
    // One report, from rank 0.
    std::size_t reports = 0;
    for (const auto& line : out.lines) reports += line.find("Throughput") != std::string::npos;
    EXPECT_EQ(reports, 1u) << out.output;

    const auto run = only_run(json);
    EXPECT_EQ(number_of(run, "ranks"), ranks);
    ASSERT_TRUE(run.contains("generator_ranks") && run.at("generator_ranks").is_array())
        << read_file(json);
    const auto& each = run.at("generator_ranks");
    ASSERT_EQ(each.size(), std::size_t(ranks));
    // -c 7 over three ranks: 3, 2 and 2 connections; each rank drove its share.
    const double shares[ranks] = {3, 2, 2};
    double requests = 0;
    for (std::size_t r = 0; r < ranks; ++r) {
        const auto& rank = each.at(r);
        EXPECT_EQ(number_of(rank, "rank"), double(r));
        EXPECT_EQ(number_of(rank, "connections"), shares[r]);
        EXPECT_GT(number_of(rank, "requests"), 0) << "rank " << r << " drove nothing";
        EXPECT_GT(number_of(rank, "generator_cpu_s"), 0);
        EXPECT_FALSE(text_of(rank, "host").empty());
        requests += number_of(rank, "requests");
    }
    // The merged count is the sum of the ranks', and the latency histogram holds all of them.
    EXPECT_EQ(number_of(run, "requests"), requests);
    const auto row = last_csv_row(csv);
    EXPECT_EQ(number(row, "requests"), requests);
    EXPECT_EQ(number(row, "errors"), 0);
    EXPECT_EQ(number(row, "ranks"), ranks);
    // The generator's CPU: each rank's, and their total.
    const auto per_rank = row.at("generator_rank_cpu_s");
    EXPECT_EQ(std::count(per_rank.begin(), per_rank.end(), ';'), ranks - 1) << per_rank;
    // The presence check ran on every rank and passed against the total of their clients.
    EXPECT_EQ(row.at("presence"), "passed") << out.output;
    EXPECT_GE(number(row, "presence_checks"), 3 * 14);
    EXPECT_EQ(number(row, "presence_failures"), 0);
}

// The latency counts of every interval line of an HdrHistogram interval log.
std::vector<std::uint64_t> hlog_counts(const std::filesystem::path& log) {
    std::vector<std::uint64_t> out;
    std::istringstream in(read_file(log));
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#' || line[0] == '"') continue;
        const auto comma = line.rfind(',');
        const auto h = decode_compressed_base64(std::string_view(line).substr(comma + 1));
        if (!h) {
            ADD_FAILURE() << "not a histogram: " << line;
            continue;
        }
        out.push_back(std::accumulate(h->counts.begin(), h->counts.end(), std::uint64_t{0}));
    }
    return out;
}

TEST_F(mpi_run, the_timeline_and_the_interval_log_hold_every_rank_s_requests) {
    server_process server("epoll");
    ASSERT_NE(server.port(), 0);
    const auto json = dir_.path() / "runs.json", csv = dir_.path() / "runs.csv",
               timeline = dir_.path() / "timeline.csv", log = dir_.path() / "run.hlog";
    const auto out = run_mpi(
        {ranks_running(ranks, {"load", "--target", fmt_target(server.port()), "-c", "6", "-d",
                               "2s", "--warmup", "200ms", "--no-presence", "--json",
                               json.string(), "--csv", csv.string(), "--timeline",
                               timeline.string(), "--hlog", log.string()})},
        120s);
    ASSERT_EQ(out.status, 0) << out.output;
    const auto run = only_run(json);
    const auto row = last_csv_row(csv);
    const double requests = number(row, "requests");
    const double rank_0 = number_of(run.at("generator_ranks").at(0), "requests");
    ASSERT_GT(rank_0, 0);
    ASSERT_GT(requests, rank_0);

    // The per-second timeline (CSV and JSON): every rank's requests, every rank's connections.
    const auto seconds = read_csv(timeline);
    ASSERT_EQ(seconds.size(), 2u) << read_file(timeline);
    double in_seconds = 0;
    for (const auto& second : seconds) {
        in_seconds += number(second, "requests");
        EXPECT_EQ(number(second, "online"), 6) << "the connections of all three ranks";
        EXPECT_EQ(number(second, "errors"), 0);
    }
    EXPECT_EQ(in_seconds, requests) << "rank 0 alone drove " << rank_0;
    const auto& json_seconds = run.at("timeline");
    ASSERT_EQ(json_seconds.size(), 2u);
    EXPECT_EQ(number_of(json_seconds.at(0), "requests") + number_of(json_seconds.at(1), "requests"),
              requests);

    // The interval log: one line a second, holding every request of every rank (answered or
    // still unanswered when the window closed), as the merged histogram does.
    const auto counts = hlog_counts(log);
    ASSERT_EQ(counts.size(), 2u) << read_file(log);
    EXPECT_EQ(double(counts[0] + counts[1]), requests + number(row, "unanswered"));
    EXPECT_GT(double(counts[0] + counts[1]), rank_0);
}

TEST_F(mpi_run, the_ranks_leave_the_start_barrier_together_and_the_json_says_how_far_apart) {
    const auto json = dir_.path() / "runs.json";
    // `run`: rank 0 starts the server first, the others wait for its address.
    const auto out = run_mpi({ranks_running(ranks, {"--backend=epoll", "-c", "3", "-d", "300ms",
                                                    "--warmup", "100ms", "--no-presence",
                                                    "--json", json.string()})},
                             120s);
    ASSERT_EQ(out.status, 0) << out.output;
    const auto run = only_run(json);
    const auto& each = run.at("generator_ranks");
    ASSERT_EQ(each.size(), std::size_t(ranks));
    EXPECT_EQ(number_of(each.at(0), "start_offset_us"), 0);
    for (std::size_t r = 1; r < each.size(); ++r) {
        const double offset = number_of(each.at(r), "start_offset_us");
        // One host, one clock: the barrier's own spread, microseconds when idle (a rank
        // that started its clock on its own, before the others connected, would be off by the
        // time they took to start and connect). Generous: the machine is shared.
        EXPECT_LT(std::abs(offset), 250'000) << "rank " << r << " left the barrier " << offset
                                            << " µs after rank 0";
    }
}

TEST_F(mpi_run, the_open_loop_rate_is_shared_like_the_connections) {
    server_process server("epoll");
    ASSERT_NE(server.port(), 0);
    const auto json = dir_.path() / "runs.json";
    const auto out =
        run_mpi({ranks_running(ranks, {"load", "--target", fmt_target(server.port()), "-c", "6",
                                       "-R", "600", "-d", "1s", "--warmup", "100ms",
                                       "--no-presence", "--json", json.string()})},
                120s);
    ASSERT_EQ(out.status, 0) << out.output;
    const auto run = only_run(json);
    const auto& each = run.at("generator_ranks");
    ASSERT_EQ(each.size(), std::size_t(ranks));
    for (const auto& rank : each) EXPECT_EQ(number_of(rank, "rate_rps"), 200);
    // About 600 requests in the second in all; far from it would mean a rank took the whole rate.
    EXPECT_GT(number_of(run, "requests"), 300);
    EXPECT_LT(number_of(run, "requests"), 1200);
}

TEST_F(mpi_run, rank_0_starts_the_backend_and_tells_the_others_where_it_listens) {
    const auto json = dir_.path() / "runs.json";
    const auto out = run_mpi({ranks_running(ranks, {"--backend=thread", "-c", "3", "-d", "500ms",
                                                    "--warmup", "100ms", "--json", json.string()})},
                             120s);
    ASSERT_EQ(out.status, 0) << out.output;
    const auto run = only_run(json);
    EXPECT_EQ(text_of(run, "backend"), "thread");
    EXPECT_EQ(number_of(run, "ranks"), ranks);
    EXPECT_GT(number_of(run, "server_user_cpu_s") + number_of(run, "server_sys_cpu_s"), 0);
    double requests = 0;
    for (const auto& rank : run.at("generator_ranks")) {
        EXPECT_GT(number_of(rank, "requests"), 0);
        requests += number_of(rank, "requests");
    }
    EXPECT_EQ(number_of(run, "requests"), requests);
    EXPECT_EQ(text_of(run, "presence"), "passed") << out.output;
}

TEST_F(mpi_run, a_rank_that_cannot_connect_fails_the_run_naming_it_within_its_timeout) {
    server_process server("epoll");
    ASSERT_NE(server.port(), 0);
    // Rank 2 is given a port where nothing listens (MPMD: each part its own command line).
    const std::vector<std::string> common{
        "-d", "1s", "--warmup", "100ms", "-c", "3", "--csv", (dir_.path() / "runs.csv").string()};
    auto good = std::vector<std::string>{"load", "--target", fmt_target(server.port())};
    auto bad = std::vector<std::string>{"load", "--target", "127.0.0.1:1"};
    good.insert(good.end(), common.begin(), common.end());
    bad.insert(bad.end(), common.begin(), common.end());
    const auto started = std::chrono::steady_clock::now();
    const auto out = run_mpi({ranks_running(2, good), ranks_running(1, bad)}, 60s);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(out.status, 1) << out.output;
    EXPECT_NE(out.output.find("rank 2 ("), std::string::npos) << out.output;
    EXPECT_NE(out.output.find("cannot connect to 127.0.0.1:1"), std::string::npos) << out.output;
    EXPECT_LT(took, 30s) << "the probe gives up after 2 s";
    EXPECT_EQ(last_csv_row(dir_.path() / "runs.csv").at("status"), "failed");
}

TEST_F(mpi_run, a_rank_that_dies_ends_the_run_naming_it_instead_of_hanging) {
    server_process server("epoll");
    ASSERT_NE(server.port(), 0);
    std::vector<std::string> argv{
        "/bin/sh",        "-c", "exec \"$0\" \"$@\" 2>&1", ROBOTBENCH_MPIRUN, "--allow-run-as-root",
        "--oversubscribe"};
    const auto ranks_args =
        ranks_running(ranks, {"load", "--target", fmt_target(server.port()), "-c", "3", "-d", "30s",
                              "--warmup", "100ms", "--no-csv"});
    argv.insert(argv.end(), ranks_args.begin(), ranks_args.end());
    const auto started = std::chrono::steady_clock::now();
    child_process mpirun(argv);
    // mpirun starts the ranks on this host as its own children; one of them is killed mid-run.
    std::vector<pid_t> children;
    while (children.size() < std::size_t(ranks) &&
           std::chrono::steady_clock::now() < started + 20s) {
        std::this_thread::sleep_for(100ms);
        children = child_pids(mpirun.pid());
    }
    ASSERT_EQ(children.size(), std::size_t(ranks));
    std::this_thread::sleep_for(1s);
    ::kill(children.back(), SIGKILL);
    const auto out = collect(mpirun, 60s);
    EXPECT_NE(out.status, 0) << out.output;
    EXPECT_NE(out.output.find("exited on signal 9"), std::string::npos) << out.output;
    EXPECT_NE(out.output.find("process rank "), std::string::npos) << "the rank is named";
    EXPECT_LT(std::chrono::steady_clock::now() - started, 25s) << "the 30 s run was not cut short";
}

TEST_F(mpi_run, fewer_connections_than_ranks_is_a_usage_error) {
    const auto out =
        run_mpi({ranks_running(ranks, {"load", "--target", "127.0.0.1:9", "-c", "2"})}, 60s);
    EXPECT_EQ(out.status, 2) << out.output;
    EXPECT_NE(out.output.find("-c 2 is fewer connections than the 3 ranks"), std::string::npos)
        << out.output;
}

}  // namespace
}  // namespace robotbench::test
