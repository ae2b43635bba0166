// The default cap on the clients of the models that spend a process or a thread on each client,
// derived from the machine's limits: the line `serve` prints, the clients it refuses beyond the
// cap, what `list` and `run` say, and a prefork pool larger than the machine can run. Each test
// sets a small RLIMIT_NPROC with prlimit; the cap counts it for root too, whom the kernel exempts.

#include <gtest/gtest.h>
#include <signal.h>

#include <charconv>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backends/client_cap.hpp"
#include "support/client.hpp"
#include "support/command.hpp"
#include "support/limited_server.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

namespace fs = std::filesystem;

// A prlimit flag that leaves this user room for about `room` more tasks beyond the reserve the
// cap keeps (other tasks that start or end meanwhile move it a little).
std::string nproc_leaving(std::uint64_t room) {
    const auto limit = std::to_string(read_machine_limits().user_tasks + reserved_tasks + room);
    return "--nproc=" + limit + ":" + limit;
}

// The number after "at most " in a line, or 0.
std::size_t cap_in(const std::string& line) {
    const auto at = line.find("at most ");
    if (at == std::string::npos) return 0;
    std::size_t cap = 0;
    std::from_chars(line.data() + at + 8, line.data() + line.size(), cap);
    return cap;
}

// `robotbench ARGS...` under `prefix` (prlimit and its flags), stdout and stderr together.
outcome run_limited(const std::vector<std::string>& prefix, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/bin/sh", "-c", "exec \"$@\" 2>&1", "sh"};
    argv.insert(argv.end(), prefix.begin(), prefix.end());
    argv.push_back(robotbench_exe());
    argv.insert(argv.end(), args.begin(), args.end());
    child_process child(argv);
    return collect(child, std::chrono::seconds(60));
}

class client_cap_test : public ::testing::TestWithParam<std::string> {};

TEST_P(client_cap_test, a_small_rlimit_nproc_caps_clients_with_server_full_and_serves_the_rest) {
    const std::string prlimit = prlimit_exe();
    if (prlimit.empty()) GTEST_SKIP() << "needs prlimit";
    // Without --quiet: the cap is the one line on stderr beside `listening on`.
    limited_server server({prlimit, nproc_leaving(40)}, GetParam());
    const auto port = server.port();
    const auto lines = server.await_stderr_lines(1);
    ASSERT_NE(port, 0) << (lines.empty() ? "" : lines[0]);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find(GetParam() + " serves at most "), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("RLIMIT_NPROC"), std::string::npos) << lines[0];
    const std::size_t cap = cap_in(lines[0]);
    ASSERT_GT(cap, 0u) << lines[0];
    ASSERT_LE(cap, 100u) << lines[0];

    std::vector<std::unique_ptr<client>> clients;
    for (std::size_t i = 0; i < cap; ++i) {
        clients.push_back(std::make_unique<client>(port));
        ASSERT_EQ(clients.back()->ask("in " + std::to_string(i)),
                  "====in " + std::to_string(i) + "====");
    }
    for (int i = 0; i < 3; ++i) {
        client beyond(port);
        std::string got;
        EXPECT_TRUE(beyond.read_to_eof(got, 3s)) << "a client beyond the cap must be closed";
        EXPECT_EQ(got, "!ERR server full\n");
    }
    EXPECT_EQ(clients.front()->ask("/online"), "online " + std::to_string(cap));
    EXPECT_EQ(clients.back()->ask("still"), "====still====") << "the others are served on";

    // Once one leaves, a newcomer is served (after the server has seen that one go).
    clients[1]->close();
    std::optional<std::string> reply;
    for (int attempt = 0; attempt < 100 && reply != "====newcomer===="; ++attempt) {
        client newcomer(port);
        reply = newcomer.ask("newcomer", 2s);
        if (reply != "====newcomer====") std::this_thread::sleep_for(30ms);
    }
    EXPECT_EQ(reply, "====newcomer====");
    clients.clear();
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.exit_status(), 0);
}

TEST_P(client_cap_test, max_conns_overrides_the_cap) {
    const std::string prlimit = prlimit_exe();
    if (prlimit.empty()) GTEST_SKIP() << "needs prlimit";
    limited_server server({prlimit, nproc_leaving(40)}, GetParam(), {"--max-conns=3"});
    ASSERT_NE(server.port(), 0);
    const auto lines = server.await_stderr_lines(1);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("at most 3 clients at once (--max-conns)"), std::string::npos)
        << lines[0];
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.exit_status(), 0);
}

TEST_P(client_cap_test, list_shows_the_cap_and_what_sets_it) {
    const auto plain = run_robotbench({"list"});
    ASSERT_EQ(plain.status, 0);
    const std::string prlimit = prlimit_exe();
    if (prlimit.empty()) GTEST_SKIP() << "needs prlimit";
    const auto limited = run_limited({prlimit, nproc_leaving(40)}, {"list"});
    ASSERT_EQ(limited.status, 0) << limited.output;
    for (const auto* listed : {&plain, &limited}) {
        std::string line;
        for (const auto& l : listed->lines)
            if (l.starts_with(GetParam() + " ")) line = l;
        EXPECT_GT(cap_in(line), 0u) << line;
        EXPECT_NE(line.find("clients at once: "), std::string::npos) << line;
        if (listed == &limited) {
            EXPECT_NE(line.find("RLIMIT_NPROC"), std::string::npos) << line;
        }
    }
}

TEST_P(client_cap_test, run_refuses_more_connections_than_the_cap_before_any_server_starts) {
    const std::string prlimit = prlimit_exe();
    if (prlimit.empty()) GTEST_SKIP() << "needs prlimit";
    const auto csv = fs::temp_directory_path() / ("robotbench-cap-" + GetParam() + ".csv");
    fs::remove(csv);
    const auto r = run_limited({prlimit, nproc_leaving(40)},
                               {"run", "--backend=" + GetParam(), "-c", "200", "-d", "500ms",
                                "--csv=" + csv.string()});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find(GetParam() + " serves at most "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("RLIMIT_NPROC"), std::string::npos) << r.output;
    EXPECT_EQ(r.lines.size(), 1u) << r.output;
    EXPECT_FALSE(fs::exists(csv)) << "nothing ran, so no row";
}

INSTANTIATE_TEST_SUITE_P(per_client_models, client_cap_test,
                         ::testing::Values("fork", "thread-per-client"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             return backend_test_name(info.param);
                         });

TEST(client_cap, a_prefork_pool_larger_than_the_machine_can_run_is_refused) {
    const std::string prlimit = prlimit_exe();
    if (prlimit.empty()) GTEST_SKIP() << "needs prlimit";
    const std::string nproc = nproc_leaving(20);
    limited_server refused({prlimit, nproc}, "prefork", {"--workers=500"});
    EXPECT_EQ(refused.port(), 0);
    EXPECT_EQ(refused.exit_status(), 1);
    EXPECT_TRUE(refused.stdout_lines().empty());
    const auto lines = refused.stderr_lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("500 worker processes"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("RLIMIT_NPROC"), std::string::npos) << lines[0];

    const auto run = run_limited({prlimit, nproc}, {"run", "--backend=prefork",
                                                    "--server-workers=500", "-c", "10", "-d",
                                                    "500ms", "--no-csv"});
    EXPECT_EQ(run.status, 2) << run.output;
    EXPECT_NE(run.output.find("500 worker processes"), std::string::npos) << run.output;

    // A pool that fits starts.
    limited_server fits({prlimit, nproc}, "prefork", {"--workers=4", "--quiet"});
    EXPECT_NE(fits.port(), 0) << (fits.stderr_lines().empty() ? "" : fits.stderr_lines()[0]);
    fits.process().signal(SIGTERM);
    EXPECT_EQ(fits.exit_status(), 0);
}

}  // namespace
}  // namespace robotbench::test
