// What robotbench prints for scripts and for people in a hurry: `--json -` and `--csv -` (the
// document alone on stdout), `-q` (one line per run), `--latency` (wrk2's percentile spectrum),
// `--version`, and `-n` (a fixed number of requests instead of a duration). Each runs the real
// binary, which starts the real server on port 0.

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "backends/net.hpp"
#include "harness/child_process.hpp"
#include "support/command.hpp"
#include "support/files.hpp"
#include "support/scratch_test.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// What a command wrote to stdout and to stderr, apart.
struct split_outcome {
    int status = -1;
    std::string out;
    std::string err;
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

class stdout_test : public scratch_test {
  protected:
    // Runs `robotbench ARGS` with stdout and stderr each to a file of the scratch folder.
    split_outcome run_split(const std::vector<std::string>& args) const {
        std::string line = "\"$0\"";
        for (const auto& a : args) line += " '" + a + "'";
        line += " >'" + (dir_ / "stdout").string() + "' 2>'" + (dir_ / "stderr").string() + "'";
        child_process shell(std::vector<std::string>{"/bin/sh", "-c", line, robotbench_exe()});
        const auto done = collect(shell, 180s);
        return {done.status, read_file(dir_ / "stdout"), read_file(dir_ / "stderr")};
    }

    // Feeds `text` to a Python snippet that reads stdin; returns what it printed, or fails the
    // test when it exits non-zero (e.g. the text is not one JSON document).
    std::string python(const std::string& text, const std::string& program) const {
        const auto in = dir_ / "python-in";
        std::ofstream(in) << text;
        const std::string line = "python3 -c '" + program + "' <'" + in.string() + "' 2>&1";
        child_process shell(std::vector<std::string>{"/bin/sh", "-c", line});
        const auto done = collect(shell, 60s);
        EXPECT_EQ(done.status, 0) << program << "\n" << done.output;
        return done.output;
    }

    // `robotbench --backend=thread -n 1000` with `load` (the connections, the loop), the CSV and
    // the JSON in the scratch folder. Checks that both say 1000 requests validated, 1000 sent,
    // none unsent, and so does the report; returns what it printed.
    split_outcome run_exactly_1000(const std::vector<std::string>& load) const {
        const auto csv = dir_ / "runs.csv";
        const auto json = dir_ / "runs.json";
        std::vector<std::string> args{"--backend=thread", "--warmup=200ms", "-n", "1000",
                                      "--no-presence", "--csv", csv.string(), "--json",
                                      json.string()};
        args.insert(args.end(), load.begin(), load.end());
        const auto r = run_split(args);
        EXPECT_EQ(r.status, 0) << r.out << r.err;
        const auto doc = read_file(json);
        EXPECT_EQ(json_field(doc, "requests"), "1000");
        EXPECT_EQ(json_field(doc, "requested"), "1000");
        EXPECT_EQ(json_field(doc, "sent"), "1000");
        EXPECT_EQ(json_field(doc, "unsent"), "0");
        EXPECT_EQ(json_field(doc, "unanswered"), "0");
        const auto rows = read_csv(csv);
        EXPECT_EQ(rows.size(), 1u);
        if (!rows.empty()) {
            EXPECT_EQ(number(rows[0], "requests"), 1000);
            EXPECT_EQ(number(rows[0], "requested"), 1000);
            EXPECT_EQ(number(rows[0], "sent"), 1000);
            EXPECT_EQ(number(rows[0], "errors"), 0);
        }
        EXPECT_NE(r.out.find("1,000: 1,000 sent, 1,000 validated, 0 failed"), std::string::npos)
            << r.out;
        return r;
    }

    // The value of `field` in the first run of the JSON document `text`, as Python prints it.
    std::string json_field(const std::string& text, const std::string& field) const {
        auto value = python(
            text, "import json,sys; print(json.load(sys.stdin)[\"runs\"][0][\"" + field + "\"])");
        while (!value.empty() && value.back() == '\n') value.pop_back();
        return value;
    }
};

// A short closed-loop run of `backend` without the presence check.
std::vector<std::string> short_run(std::vector<std::string> more,
                                   const std::string& backend = "thread") {
    std::vector<std::string> args{"--backend=" + backend, "--warmup=100ms", "-c", "4",
                                  "--no-presence"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

TEST_F(stdout_test, json_dash_puts_one_json_document_and_nothing_else_on_stdout) {
    const auto r = run_split(short_run({"-d", "300ms", "--no-csv", "--json", "-"}));
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    // json.load fails on anything after or before the document.
    EXPECT_EQ(json_field(r.out, "backend"), "thread") << r.out;
    EXPECT_NE(r.err.find("Throughput"), std::string::npos) << "the report goes to stderr:\n"
                                                           << r.err;
}

TEST_F(stdout_test, csv_dash_puts_the_header_and_one_row_and_nothing_else_on_stdout) {
    const auto r = run_split(short_run({"-d", "300ms", "--csv", "-"}));
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u) << r.out;
    EXPECT_TRUE(lines[0].starts_with("timestamp,git_revision,backend,")) << lines[0];
    const auto csv = dir_ / "copy.csv";
    std::ofstream(csv) << r.out;
    const auto rows = read_csv(csv);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("backend"), "thread");
    EXPECT_GT(number(rows[0], "requests"), 0);
    EXPECT_NE(r.err.find("Throughput"), std::string::npos) << r.err;
}

TEST_F(stdout_test, two_documents_on_stdout_are_refused_with_one_line) {
    for (const auto& both : {std::vector<std::string>{"--csv", "-", "--json", "-"},
                             {"--csv", "-", "--summary-csv", "-"},
                             {"--no-csv", "--json", "-", "--summary-csv", "-"}}) {
        const auto r = run_robotbench(short_run(both));
        EXPECT_EQ(r.status, 2) << r.output;
        ASSERT_EQ(r.lines.size(), 1u) << r.output;
        EXPECT_NE(r.output.find("only one of --csv, --json and --summary-csv can be -"),
                  std::string::npos)
            << r.output;
    }
}

TEST_F(stdout_test, quiet_prints_exactly_one_line_per_run) {
    const auto r = run_split(
        short_run({"-d", "300ms", "-q", "--csv", (dir_ / "runs.csv").string()}, "thread,epoll"));
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u) << r.out;
    EXPECT_TRUE(lines[0].starts_with("thread: ")) << lines[0];
    EXPECT_TRUE(lines[1].starts_with("epoll: ")) << lines[1];
    for (const auto& line : lines) {
        EXPECT_NE(line.find(" req/s, p50 "), std::string::npos) << line;
        EXPECT_NE(line.find(", p99 "), std::string::npos) << line;
        EXPECT_TRUE(line.ends_with(", 0 errors")) << line;
    }
    // The CSV is still written, without a line saying so; stderr holds at most warnings (the
    // generator may have set the pace on a busy machine), one line each.
    EXPECT_EQ(read_csv(dir_ / "runs.csv").size(), 2u);
    for (const auto& line : lines_of(r.err))
        EXPECT_TRUE(line.starts_with("robotbench: thread: warning: ") ||
                    line.starts_with("robotbench: epoll: warning: "))
            << line;
}

TEST_F(stdout_test, quiet_with_json_on_stdout_sends_its_line_to_stderr) {
    const auto r = run_split(short_run({"-d", "300ms", "-q", "--no-csv", "--json", "-"}));
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_EQ(json_field(r.out, "status"), "ok");
    const auto lines = lines_of(r.err);
    ASSERT_GE(lines.size(), 1u) << r.err;
    EXPECT_TRUE(lines[0].starts_with("thread: ")) << r.err;
    for (std::size_t i = 1; i < lines.size(); ++i)
        EXPECT_TRUE(lines[i].starts_with("robotbench: thread: warning: ")) << lines[i];
}

// The value (µs) of the headline row for `label` (e.g. " 99.000%") of the spectrum.
double headline(const std::string& text, const std::string& label) {
    for (const auto& line : lines_of(text))
        if (line.starts_with("  " + label)) return std::stod(line.substr(label.size() + 3));
    ADD_FAILURE() << "no " << label << " row in\n" << text;
    return -1;
}

TEST_F(stdout_test, latency_prints_the_spectrum_whose_p99_is_the_jsons) {
    const auto json = dir_ / "run.json";
    const auto r =
        run_split(short_run({"-d", "300ms", "--latency", "--no-csv", "--json", json.string()}));
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    const auto& out = r.out;
    EXPECT_NE(out.find("Latency distribution (HdrHistogram, recorded latency, µs)"),
              std::string::npos)
        << out;
    for (const char* p : {" 50.000%", " 75.000%", " 90.000%", " 99.000%", " 99.900%", " 99.990%",
                          " 99.999%", "100.000%"})
        EXPECT_GT(headline(out, p), 0) << p;
    EXPECT_LE(headline(out, " 50.000%"), headline(out, " 99.000%"));
    EXPECT_LE(headline(out, " 99.000%"), headline(out, "100.000%"));
    const auto doc = read_file(json);
    // The JSON rounds µs to one decimal; the spectrum gives three.
    EXPECT_NEAR(headline(out, " 99.000%"), std::stod(json_field(doc, "latency_p99_us")), 0.051);
    EXPECT_NEAR(headline(out, " 50.000%"), std::stod(json_field(doc, "latency_p50_us")), 0.051);
    EXPECT_NEAR(headline(out, "100.000%"), std::stod(json_field(doc, "latency_max_us")), 0.051);

    // The detailed table: HdrHistogram's columns, rows up to 100%, and the total count.
    const auto table = out.find("Detailed percentile spectrum");
    ASSERT_NE(table, std::string::npos) << out;
    EXPECT_NE(out.find("Value     Percentile TotalCount 1/(1-Percentile)", table),
              std::string::npos)
        << out;
    EXPECT_NE(out.find(" 1.000000000000 ", table), std::string::npos) << out;
    EXPECT_NE(out.find("#[Max     =", table), std::string::npos) << out;
    EXPECT_NE(out.find("#[Buckets =", table), std::string::npos) << out;
}

TEST_F(stdout_test, version_names_the_version_revision_compiler_and_build_type) {
    const auto r = run_split({"--version"});
    EXPECT_EQ(r.status, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 1u) << r.out;
    EXPECT_TRUE(lines[0].starts_with("robotbench 0.1.0 (git ")) << lines[0];
    EXPECT_NE(lines[0].find("g++"), std::string::npos) << lines[0];
    EXPECT_TRUE(lines[0].ends_with(")")) << lines[0];
    EXPECT_EQ(r.err, "");
}

TEST_F(stdout_test, requests_n_validates_exactly_n_requests_in_closed_loop) {
    // 7 connections and pipeline 3 do not divide 1000: the shares must still add up.
    const auto r = run_exactly_1000({"-c", "7", "-P", "3"});
    EXPECT_NE(r.out.find("200ms warm-up + 1,000 requests measured"), std::string::npos) << r.out;
}

TEST_F(stdout_test, requests_n_schedules_exactly_n_sends_in_open_loop) {
    run_exactly_1000({"-c", "3", "-R", "2000"});
    // 1000 sends at 2000/s take half a second of schedule.
    EXPECT_GE(std::stod(json_field(read_file(dir_ / "runs.json"), "measured_s")), 0.45);
}

TEST_F(stdout_test, requests_n_with_the_load_command_and_quiet) {
    server_process server("epoll");
    const auto r = run_split({"load", "--target", "127.0.0.1:" + std::to_string(server.port()),
                              "-n", "500", "-c", "5", "--warmup=0", "--no-presence", "-q",
                              "--no-csv", "--json", (dir_ / "runs.json").string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_EQ(lines_of(r.out).size(), 1u) << r.out;
    EXPECT_EQ(json_field(read_file(dir_ / "runs.json"), "requests"), "500");
}

TEST_F(stdout_test, requests_n_against_a_server_that_never_answers_ends_and_accounts_for_each) {
    // A listener nobody accepts from: connects complete in the backlog, sends are taken, no reply
    // ever comes. The run must end (no reply for --timeout), fail, and say where the 100 went.
    const unique_fd silent = open_listener("127.0.0.1", 0);
    const auto json = dir_ / "runs.json";
    const auto r =
        run_split({"load", "--target", "127.0.0.1:" + std::to_string(local_port(silent.get())),
                   "-n", "100", "-c", "2", "--warmup=0", "--timeout=500ms", "--no-presence",
                   "--no-csv", "--json", json.string()});
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    const auto doc = read_file(json);
    EXPECT_EQ(json_field(doc, "requests"), "0");
    EXPECT_EQ(json_field(doc, "requested"), "100");
    const auto sent = std::stoull(json_field(doc, "sent"));
    EXPECT_GE(sent, 2u);
    EXPECT_EQ(sent + std::stoull(json_field(doc, "unsent")), 100u);
    EXPECT_GE(
        std::stoull(json_field(doc, "errors_timeout")) + std::stoull(json_field(doc, "unanswered")),
        sent);
    EXPECT_NE(r.out.find(fmt::format("100: {} sent, 0 validated", sent)), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("FAILED"), std::string::npos) << r.out;
}

TEST_F(stdout_test, bad_combinations_exit_2_with_one_line) {
    for (const std::vector<std::string>& args : {std::vector<std::string>{"-n", "1000", "-d", "1s"},
                                                 {"-n", "1000", "--duration", "1s"},
                                                 {"-n", "0"},
                                                 {"-n", "many"},
                                                 {"-n", "100", "--scenario", "churn"},
                                                 {"-n", "100", "--scenario", "idle"},
                                                 {"--csv", "-", "--json", "-"}}) {
        const auto r = run_robotbench(short_run(args));
        std::string shown;
        for (const auto& a : args) shown += a + " ";
        EXPECT_EQ(r.status, 2) << shown << "\n" << r.output;
        EXPECT_EQ(r.lines.size(), 1u) << shown << "\n" << r.output;
    }
}

}  // namespace
}  // namespace robotbench::test
