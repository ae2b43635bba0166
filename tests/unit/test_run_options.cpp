// The benchmark run's settings: durations with units, backend lists, targets, and the settings
// that cannot run.

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "backends/backend.hpp"
#include "harness/duration.hpp"
#include "harness/environment.hpp"
#include "harness/flag_transformers.hpp"
#include "harness/run_options.hpp"

namespace robotbench {
namespace {

using namespace std::chrono_literals;

TEST(duration, accepts_the_units_wrk_accepts) {
    EXPECT_EQ(parse_duration("500ms"), 500ms);
    EXPECT_EQ(parse_duration("5s"), 5s);
    EXPECT_EQ(parse_duration("1m"), 60s);
    EXPECT_EQ(parse_duration("2h"), 7200s);
    EXPECT_EQ(parse_duration("250us"), 250us);
    EXPECT_EQ(parse_duration("10ns"), 10ns);
    EXPECT_EQ(parse_duration("2.5s"), 2500ms);
    EXPECT_EQ(parse_duration("0.5"), 500ms);  // a bare number is seconds
    EXPECT_EQ(parse_duration("10"), 10s);
    EXPECT_EQ(parse_duration("0"), 0s);
    EXPECT_EQ(parse_duration("0ms"), 0s);
}

TEST(duration, refuses_what_is_not_a_duration) {
    for (const char* bad : {"", "s", "ms", "-1s", "+1s", "5x", "5 s", "1.5.2s", "s5", "five",
                            "5sec", "1e3s", "nan", "inf"}) {
        EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
    }
}

TEST(duration, text_is_the_shortest_exact_spelling) {
    EXPECT_EQ(duration_text(500ms), "500ms");
    EXPECT_EQ(duration_text(5s), "5s");
    EXPECT_EQ(duration_text(60s), "1m");
    EXPECT_EQ(duration_text(90s), "90s");
    EXPECT_EQ(duration_text(1500us), "1500us");
    EXPECT_EQ(duration_text(0s), "0s");
    for (const std::chrono::nanoseconds d :
         {std::chrono::nanoseconds(1ns), std::chrono::nanoseconds(999us),
          std::chrono::nanoseconds(1001ms), std::chrono::nanoseconds(3h)})
        EXPECT_EQ(parse_duration(duration_text(d)), d);
}

TEST(size_flag, accepts_bytes_with_or_without_a_unit) {
    EXPECT_EQ(parse_size("64"), 64u);
    EXPECT_EQ(parse_size("4k"), 4096u);
    EXPECT_EQ(parse_size("4K"), 4096u);
    EXPECT_EQ(parse_size("4kb"), 4096u);
    EXPECT_EQ(parse_size("4KiB"), 4096u);
    EXPECT_EQ(parse_size("1m"), 1u << 20);
    EXPECT_EQ(parse_size("16b"), 16u);
}

TEST(size_flag, refuses_what_is_not_a_size) {
    for (const char* bad : {"", "k", "-1", "+4", "1.5k", "4x", "4 k", " 4", "four", "4kk", "1e3"})
        EXPECT_EQ(parse_size(bad), std::nullopt) << bad;
}

// The flags as a user types them: the transformer sits in front of the range check, and a refusal
// is one line naming the units or the valid names.
TEST(flag_transformers, size_and_scenario_flags_parse_and_refuse_in_one_line) {
    const auto parse = [](std::vector<std::string> args, std::size_t& size, scenario& kind) {
        CLI::App app;
        app.add_option("--size", size)
            ->transform(size_transformer())
            ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
        app.add_option("--scenario", kind)->transform(scenario_transformer());
        std::reverse(args.begin(), args.end());
        try {
            app.parse(args);
            return std::string();
        } catch (const CLI::ParseError& e) {
            return std::string(e.what());
        }
    };
    std::size_t size = 0;
    scenario kind = scenario::load;
    EXPECT_EQ(parse({"--size", "2k", "--scenario", "churn"}, size, kind), "");
    EXPECT_EQ(size, 2048u);
    EXPECT_EQ(kind, scenario::churn);
    EXPECT_EQ(parse({"--scenario=idle"}, size, kind), "");
    EXPECT_EQ(kind, scenario::idle);

    auto error = parse({"--size", "2q"}, size, kind);
    EXPECT_NE(error.find("'2q' is not a size in bytes"), std::string::npos) << error;
    EXPECT_NE(error.find("kib"), std::string::npos) << error;
    error = parse({"--size", "32m"}, size, kind);  // a size, but above the range
    EXPECT_NE(error.find("33554432"), std::string::npos) << error;
    for (const char* bad : {"stress", "1", "LOAD"}) {
        error = parse({"--scenario", bad}, size, kind);
        EXPECT_NE(error.find("(valid: load, presence, churn, idle)"), std::string::npos)
            << bad << ": " << error;
        EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    }
}

TEST(timestamp, is_utc_iso_8601_to_the_second) {
    using namespace std::chrono;
    const sys_seconds t = sys_days{2024y / 1 / 2} + 3h + 4min + 5s;
    EXPECT_EQ(utc_timestamp(t + 999ms), "2024-01-02T03:04:05Z");
    EXPECT_EQ(utc_timestamp(sys_days{1970y / 1 / 1}), "1970-01-01T00:00:00Z");
}

TEST(backend_list, expands_names_aliases_lists_and_all) {
    EXPECT_EQ(expand_backends("select").names, std::vector<std::string>{"select"});
    EXPECT_EQ(expand_backends("thread-pool").names, std::vector<std::string>{"thread"});
    EXPECT_EQ(expand_backends("fork, select,fork").names,
              (std::vector<std::string>{"fork", "select"}));
    std::vector<std::string> every;
    for (const auto& row : backends())
        if (row.available()) every.emplace_back(row.name);
    EXPECT_EQ(expand_backends("all").names, every);
    EXPECT_TRUE(expand_backends("all").error.empty());
}

TEST(backend_list, an_unknown_name_is_an_error_naming_the_valid_ones) {
    for (const char* bad : {"nope", "select,nope", "", "select,"}) {
        const auto s = expand_backends(bad);
        EXPECT_NE(s.error.find("unknown backend"), std::string::npos) << bad;
        EXPECT_NE(s.error.find(backend_names()), std::string::npos) << s.error;
        EXPECT_NE(s.error.find("all"), std::string::npos) << s.error;
    }
}

TEST(target, parses_host_and_port) {
    const auto t = parse_target("127.0.0.1:7000");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->host, "127.0.0.1");
    EXPECT_EQ(t->port, 7000);
    EXPECT_EQ(parse_target("localhost:1")->host, "127.0.0.1");
    for (const char* bad :
         {"", "127.0.0.1", ":7000", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:70x",
          "example.invalid:80", "300.1.1.1:80", "127.0.0.1:-5"}) {
        EXPECT_EQ(parse_target(bad), std::nullopt) << bad;
    }
}

TEST(run_settings, impossible_ones_are_refused_with_a_reason) {
    const run_options good;
    EXPECT_EQ(check_run_options(good), "");

    auto o = good;
    o.load.pipeline = 0;
    EXPECT_NE(check_run_options(o).find("--pipeline"), std::string::npos);
    o = good;
    o.load.duration = 0s;
    EXPECT_NE(check_run_options(o).find("--duration"), std::string::npos);
    o = good;
    o.load.connections = 0;
    EXPECT_NE(check_run_options(o).find("--connections"), std::string::npos);
    o = good;
    o.load.size = 5000;
    o.max_line = 4096;
    const auto message = check_run_options(o);
    EXPECT_NE(message.find("--size 5000"), std::string::npos) << message;
    EXPECT_NE(message.find("4096"), std::string::npos) << message;
    o.load.size = 4096;
    EXPECT_EQ(check_run_options(o), "");
    o = good;
    o.kind = scenario::churn;
    o.connect_rate = 0;
    EXPECT_NE(check_run_options(o).find("--connect-rate"), std::string::npos);
    o = good;
    o.load.rate = -1;
    EXPECT_NE(check_run_options(o).find("--rate"), std::string::npos);
    // Open loop has its own in-flight bound: -P would be ignored, so it is refused.
    o = good;
    o.load.rate = 1000;
    EXPECT_EQ(check_run_options(o), "");
    o.load.pipeline = 4;
    EXPECT_NE(check_run_options(o).find("--pipeline applies to closed loop only"),
              std::string::npos);
}

TEST(run_settings, one_document_on_stdout_and_a_request_count_for_load_only) {
    run_options o;
    o.csv_path = "-";
    EXPECT_EQ(check_run_options(o), "");
    o.json_path = "-";
    EXPECT_NE(check_run_options(o).find("only one of --csv, --json and --summary-csv can be -"),
              std::string::npos);
    o.csv_path = "runs.csv";
    o.summary_csv_path = "-";
    EXPECT_NE(check_run_options(o), "");
    o = run_options{};
    o.load.requests = 1000;
    EXPECT_EQ(check_run_options(o), "");
    o.load.rate = 2000;
    EXPECT_EQ(check_run_options(o), "");
    for (const auto kind : {scenario::churn, scenario::idle, scenario::presence}) {
        o.kind = kind;
        EXPECT_NE(check_run_options(o).find("-n/--requests applies to --scenario load only"),
                  std::string::npos);
    }
}

TEST(run_settings, the_in_flight_bound_of_each_mode) {
    run_options o;
    o.load.pipeline = 8;
    EXPECT_EQ(max_in_flight(o), 8u);
    o.load.pipeline = 1;
    o.load.rate = 1000;
    EXPECT_EQ(max_in_flight(o), loadgen::open_loop_max_in_flight);
    o.kind = scenario::churn;
    o.requests_per_connection = 4;
    EXPECT_EQ(max_in_flight(o), 4u);
}

TEST(run_settings, generator_threads_never_exceed_connections) {
    run_options o;
    o.load.connections = 1;
    EXPECT_EQ(generator_threads(o), 1u);
    o.load.connections = 8;
    o.load.threads = 3;
    EXPECT_EQ(generator_threads(o), 3u);
    o.load.connections = 2;
    EXPECT_EQ(generator_threads(o), 2u);
}

TEST(run_settings, generator_threads_default_to_half_the_cores) {
    run_options o;
    o.load.connections = 1000;
    const unsigned cores = std::thread::hardware_concurrency();
    EXPECT_EQ(generator_threads(o), std::max(1u, cores / 2));
}

TEST(run_settings, scenario_names_round_trip) {
    for (const auto s : {scenario::load, scenario::presence, scenario::churn})
        EXPECT_EQ(find_scenario(scenario_name(s)), s);
    EXPECT_EQ(find_scenario("stress"), std::nullopt);
}

TEST(per_backend_path, inserts_the_backend_before_the_extension) {
    EXPECT_EQ(per_backend_path("results/lat.hgrm", "fork"), "results/lat-fork.hgrm");
    EXPECT_EQ(per_backend_path("lat", "fork"), "lat-fork");
    EXPECT_EQ(per_backend_path("a.b/lat", "fork"), "a.b/lat-fork");
    EXPECT_EQ(per_backend_path(".hidden", "fork"), ".hidden-fork");
}

}  // namespace
}  // namespace robotbench
