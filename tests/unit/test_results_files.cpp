// The files for scripts: one CSV row per run under a fixed header, and a JSON document with the
// same columns plus the configuration and the environment.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/csv_writer.hpp"
#include "harness/json_writer.hpp"
#include "harness/output_check.hpp"
#include "tests/support/csv_columns.hpp"

namespace robotbench {
namespace {

std::vector<std::string> split(const std::string& line, char sep = ',') {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, sep)) out.push_back(field);
    if (!line.empty() && line.back() == sep) out.emplace_back();
    return out;
}

run_record sample_run() {
    run_record r;
    r.timestamp = "2024-01-02T03:04:05Z";
    r.git_revision = "abc123";
    r.backend = "fork";
    r.target = "127.0.0.1:4000";
    r.options.load.threads = 2;
    r.options.load.connections = 8;
    r.loaded = true;
    r.requests = 1000;
    r.errors.wrong = 3;
    r.errors.closed = 1;
    r.measured_s = 0.5;
    r.latency = {1000, 9'000, 45'100, 60'000, 120'000, 900'000, 2'000'000, 3'000'000, 47'000};
    r.service = r.latency;
    server_cost s;
    s.user_s = 0.25;
    s.sys_s = 0.5;
    s.peak_memory_kib = 4096;
    r.server = s;
    r.generator_cpu = loadgen::cpu_times{0.1, 0.2};
    r.generator_window_cpu_s = 0.2;
    r.presence.state = presence_state::passed;
    r.presence.checks = 24;
    r.presence.max_convergence_ns = 3'250'000;
    return r;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The value of `column` in a row.
std::string field(const std::string& row, std::string_view column) {
    const auto names = split(csv_header());
    const auto values = split(row);
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i)
        if (names[i] == column) return values[i];
    return "<no column " + std::string(column) + ">";
}

TEST(csv, the_header_has_every_promised_column) {
    const auto names = split(csv_header());
    auto needed = test::promised_columns;
    needed.insert(needed.end(), {"errors_wrong", "errors_closed", "errors_missing"});
    for (const auto& column : needed)
        EXPECT_NE(std::find(names.begin(), names.end(), column), names.end()) << column;
    EXPECT_EQ(names.front(), "timestamp");
}

TEST(csv, a_row_has_one_field_per_column_in_the_columns_units) {
    const auto row = csv_row(sample_run());
    EXPECT_EQ(split(row).size(), split(csv_header()).size());
    EXPECT_EQ(field(row, "backend"), "fork");
    EXPECT_EQ(field(row, "status"), "errors");
    EXPECT_EQ(field(row, "errors"), "4");
    EXPECT_EQ(field(row, "errors_wrong"), "3");
    EXPECT_EQ(field(row, "errors_closed"), "1");
    EXPECT_EQ(field(row, "throughput_rps"), "2000.0");
    EXPECT_EQ(field(row, "latency_p50_us"), "45.1");
    EXPECT_EQ(field(row, "latency_max_us"), "3000.0");
    EXPECT_EQ(field(row, "server_user_cpu_s"), "0.250");
    EXPECT_EQ(field(row, "server_cpu_us_per_request"), "750.00");
    EXPECT_EQ(field(row, "server_peak_memory_kib"), "4096");
    EXPECT_EQ(field(row, "presence"), "passed");
    EXPECT_EQ(field(row, "presence_max_convergence_ms"), "3.250");
    EXPECT_EQ(field(row, "generator_cpu_s"), "0.300");
    EXPECT_EQ(field(row, "generator_cpu_us_per_request"), "200.00");
    EXPECT_EQ(field(row, "max_schedule_lag_ms"), "n/a");  // closed loop
}

TEST(csv, what_does_not_apply_is_n_a) {
    auto r = sample_run();
    r.backend.clear();
    r.server.reset();
    r.presence = {};
    r.presence.state = presence_state::skipped;
    const auto row = csv_row(r);
    EXPECT_EQ(field(row, "backend"), "n/a");
    EXPECT_EQ(field(row, "server_user_cpu_s"), "n/a");
    EXPECT_EQ(field(row, "server_peak_memory_kib"), "n/a");
    EXPECT_EQ(field(row, "presence"), "skipped");
    EXPECT_EQ(field(row, "presence_checks"), "n/a");
    EXPECT_EQ(field(row, "requests"), "1000");
}

TEST(csv, text_with_commas_or_quotes_is_quoted) {
    EXPECT_EQ(csv_field(std::string("a,b")), "\"a,b\"");
    EXPECT_EQ(csv_field(std::string("say \"hi\"")), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field(std::string("plain")), "plain");
    EXPECT_EQ(csv_field(cell{}), "n/a");
    EXPECT_EQ(csv_field(decimal{1.23456, 2}), "1.23");
}

class csv_file : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("robotbench-csv-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::vector<std::string> lines(const std::filesystem::path& p) {
        std::ifstream in(p);
        std::vector<std::string> out;
        for (std::string line; std::getline(in, line);) out.push_back(line);
        return out;
    }
    std::filesystem::path dir_;
};

TEST_F(csv_file, the_header_is_written_once_and_rows_are_appended) {
    const auto path = (dir_ / "sub" / "runs.csv").string();  // the directory is created
    const std::vector<run_record> one{sample_run()};
    append_csv(path, one);
    append_csv(path, one);
    const auto got = lines(path);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0], csv_header());
    EXPECT_EQ(got[1], csv_row(sample_run()));
    EXPECT_EQ(got[2], got[1]);
}

TEST_F(csv_file, a_file_with_another_header_is_left_alone) {
    std::filesystem::create_directories(dir_);
    const auto path = (dir_ / "old.csv").string();
    std::ofstream(path) << "timestamp,backend\nx,y\n";
    const std::vector<run_record> one{sample_run()};
    EXPECT_THROW(append_csv(path, one), std::runtime_error);
    EXPECT_EQ(lines(path).size(), 2u);
}

TEST_F(csv_file, outputs_are_checked_before_a_run_without_changing_them) {
    EXPECT_NE(csv_output_problem("/proc/nope/x.csv"), "");
    EXPECT_NE(output_problem("/proc/nope/x.json", true), "");
    EXPECT_EQ(csv_output_problem("-"), "");
    // A new file in a new folder: the folder is made, the file is not.
    const auto fresh = dir_ / "new" / "runs.csv";
    EXPECT_EQ(csv_output_problem(fresh.string()), "");
    EXPECT_TRUE(std::filesystem::is_directory(dir_ / "new"));
    EXPECT_FALSE(std::filesystem::exists(fresh));
    // Another header is refused, this header accepted; neither file changes.
    const auto old = (dir_ / "old.csv").string();
    std::ofstream(old) << "timestamp,backend\nx,y\n";
    EXPECT_NE(csv_output_problem(old).find("different header"), std::string::npos);
    EXPECT_EQ(lines(old).size(), 2u);
    const auto same = (dir_ / "same.csv").string();
    append_csv(same, std::vector<run_record>{sample_run()});
    EXPECT_EQ(csv_output_problem(same), "");
    EXPECT_EQ(lines(same).size(), 2u);
    EXPECT_NE(output_problem(dir_.string(), true).find("folder"), std::string::npos);
}

TEST_F(csv_file, a_fifo_is_checked_and_written_never_read) {
    // Reading a FIFO with no writer would wait forever: the check and the writer never read it.
    const auto fifo = dir_ / "fifo";
    std::filesystem::create_directories(dir_);
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(csv_output_problem(fifo.string()), "");
    std::string received;
    std::thread reader([&] {
        std::ifstream in(fifo);
        received.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    });
    append_csv(fifo.string(), std::vector<run_record>{sample_run()});
    reader.join();
    EXPECT_EQ(received, csv_header() + "\n" + csv_row(sample_run()) + "\n");
}

TEST(csv, new_columns_say_what_the_window_left_unanswered_and_the_cpu_ratio) {
    auto r = sample_run();
    r.unanswered = 12;
    r.options.load.rate = 1000;
    r.unsent = 3;
    const auto row = csv_row(r);
    EXPECT_EQ(field(row, "unanswered"), "12");
    EXPECT_EQ(field(row, "unsent"), "3");
    EXPECT_EQ(field(row, "max_in_flight"), "4096");
    EXPECT_EQ(field(row, "generator_server_cpu_ratio"), "0.27");  // 0.2 s against 0.75 s
    r.options.load.rate = 0;
    r.options.load.pipeline = 4;
    EXPECT_EQ(field(csv_row(r), "unsent"), "n/a");  // closed loop sends nothing late
    EXPECT_EQ(field(csv_row(r), "max_in_flight"), "4");
    r.server.reset();
    EXPECT_EQ(field(csv_row(r), "generator_server_cpu_ratio"), "n/a");
    r.interrupted = true;
    EXPECT_EQ(field(csv_row(r), "status"), "interrupted");
}

// The document runs_json() wrote before it went through nlohmann-json (tests/unit/data, written
// by the hand-written writer from the runs below): the same members in the same order with the
// same values; only the spelling of numbers may differ (0.200 is now 0.2).
TEST(json, the_same_document_as_the_hand_written_writer) {
    environment env;
    env.version = "0.1.0";
    env.git_revision = "abc123";
    env.kernel = "Linux 6.1";
    env.cpu_model = "Some CPU";
    env.cores = 2;
    env.build_type = "Release";
    env.compiler = "g++ 12";
    auto a = sample_run();
    a.server->lifetime = lifetime_usage{1.0, 2.0, 10, 20, 3000};
    a.warnings = {"the generator may have been the bottleneck"};
    auto b = sample_run();
    b.backend = "select";
    b.options.load.rate = 1234.5;
    b.options.server_idle_timeout = std::chrono::milliseconds(1500);
    b.options.other_clients = std::nullopt;
    b.problems = {"server said \"x\ty\" then \x01", "tab\tand\nnewline", "bad \xff byte"};
    b.presence.note = "µs fine";
    b.generator_cpu.reset();
    const std::vector<run_record> runs{a, b, a};
    const auto before = json::parse(slurp(ROBOTBENCH_TEST_DATA "/runs_before_nlohmann.json"));
    auto now = json::parse(runs_json(env, runs));
    // Members added since that document was recorded (the command line; the -n columns; the
    // per-second timeline; the ranks of a distributed run): everything else is as it was.
    now["environment"].erase("command_line");
    for (auto& run : now["runs"])
        for (const char* added :
             {"requested", "sent", "ranks", "generator_rank_cpu_s", "timeline", "generator_ranks"})
            EXPECT_EQ(run.erase(added), 1u) << added;
    EXPECT_EQ(now, before) << "now:\n" << now.dump(2) << "\nbefore:\n" << before.dump(2);
    EXPECT_EQ(runs_json(env, runs).back(), '\n');
}

// Text quoted from elsewhere (a server's reply in a problem) may be any bytes; the document
// stays valid UTF-8: each invalid byte becomes U+FFFD, valid text passes unchanged.
TEST(json, invalid_utf8_is_replaced_not_passed_on) {
    auto r = sample_run();
    r.problems = {std::string("reply \xff\xfe end"), "µs \xe2\x82 cut", "ok ✓"};
    const std::vector<run_record> runs{r};
    const auto text = runs_json(environment{}, runs);
    EXPECT_EQ(text.find('\xff'), std::string::npos);
    EXPECT_EQ(text.find('\xfe'), std::string::npos);
    const auto doc = json::parse(text);  // throws on invalid UTF-8
    const auto& problems = doc["runs"][0]["problems"];
    EXPECT_EQ(problems[0].get<std::string>(), "reply \uFFFD\uFFFD end");
    EXPECT_EQ(problems[1].get<std::string>().substr(0, 7), "µs \uFFFD");
    EXPECT_EQ(problems[2].get<std::string>(), "ok ✓");
    // Control characters are escaped, not written raw.
    r.problems = {"a\tb\x01"};
    EXPECT_NE(runs_json(environment{}, std::vector<run_record>{r}).find("a\\tb\\u0001"),
              std::string::npos);
}

TEST(environment, the_command_line_reads_back_in_a_shell) {
    EXPECT_EQ(shell_command_line({"robotbench", "sweep", "--backends=select,epoll", "-d", "1s"}),
              "robotbench sweep --backends=select,epoll -d 1s");
    EXPECT_EQ(shell_command_line({"robotbench", "--report", "my dir", "it's", "", "a;b", "$HOME"}),
              "robotbench --report 'my dir' 'it'\\''s' '' 'a;b' '$HOME'");
}

TEST(environment, records_the_command_line_of_this_process) {
    const auto env = current_environment();
    EXPECT_NE(env.command_line.find("robotbench_unit_tests"), std::string::npos)
        << env.command_line;
}

TEST(json, carries_the_columns_the_configuration_and_the_environment) {
    environment env;
    env.git_revision = "abc123";
    env.kernel = "Linux 6.1";
    env.cpu_model = "Some CPU";
    env.cores = 2;
    env.build_type = "Release";
    env.compiler = "g++ 12";
    env.command_line = "robotbench sweep --backends=select,fork --report 'my dir'";
    auto r = sample_run();
    r.server->lifetime = lifetime_usage{1.0, 2.0, 10, 20, 3000};
    r.warnings = {"the generator may have been the bottleneck"};
    const std::vector<run_record> runs{r};
    const auto text = runs_json(env, runs);
    for (const char* expected : {"\"environment\": {",
                                 "\"kernel\": \"Linux 6.1\"",
                                 "\"cpu_model\": \"Some CPU\"",
                                 "\"cores\": 2",
                                 "\"build_type\": \"Release\"",
                                 "\"compiler\": \"g++ 12\"",
                                 "\"command_line\": \"robotbench sweep "
                                 "--backends=select,fork --report 'my dir'\"",
                                 "\"runs\": [",
                                 "\"backend\": \"fork\"",
                                 "\"errors_wrong\": 3",
                                 "\"errors\": 4",
                                 "\"latency_p50_us\": 45.1",
                                 "\"max_schedule_lag_ms\": null",
                                 "\"configuration\": {",
                                 "\"connections\": 8",
                                 "\"warmup\": \"1s\"",
                                 "\"duration\": \"5s\"",
                                 "\"presence_check\": true",
                                 "\"server_lifetime\": {",
                                 "\"max_rss_kib\": 3000",
                                 "\"warnings\": [",
                                 "\"the generator may have been the bottleneck\""}) {
        EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
    }
    // Balanced brackets, and every CSV column is a key.
    EXPECT_EQ(std::count(text.begin(), text.end(), '{'), std::count(text.begin(), text.end(), '}'));
    EXPECT_EQ(std::count(text.begin(), text.end(), '['), std::count(text.begin(), text.end(), ']'));
    for (const auto& name : split(csv_header()))
        EXPECT_NE(text.find("\"" + name + "\": "), std::string::npos) << name;
}

}  // namespace
}  // namespace robotbench
