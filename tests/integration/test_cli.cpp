// `robotbench` on the command line: what a user sees for a bad backend or flag, `list`, the
// listening line, --max-line, and the `online N` lines on stderr.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backends/net.hpp"
#include "harness/child_process.hpp"
#include "support/client.hpp"
#include "support/command.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

TEST(cli, the_servers_listener_lets_a_backend_open_more_reuseport_listeners_on_its_port) {
    // A backend may serve from several SO_REUSEPORT listeners on ctx.port; that works only when
    // the main listener allows it too.
    server_process server("epoll");
    ASSERT_NE(server.port(), 0);
    std::optional<unique_fd> another;
    EXPECT_NO_THROW(another = open_listener("127.0.0.1", server.port(), /*reuse_port=*/true));
    ASSERT_TRUE(another && *another);
    EXPECT_EQ(local_port(another->get()), server.port());
    another.reset();
    client c(server.port());
    EXPECT_EQ(c.ask("still served"), "====still served====");
}

TEST(cli, unknown_backend_exits_2_with_one_line_naming_the_valid_ones) {
    const auto r = run_robotbench({"serve", "--backend=nope"});
    EXPECT_EQ(r.status, 2);
    ASSERT_EQ(r.lines.size(), 1u) << r.output;
    const auto& line = r.lines[0];
    EXPECT_NE(line.find("nope"), std::string::npos) << line;
    for (const char* name : {"select", "fork", "thread", "libuv", "thread-per-client", "prefork",
                             "epoll", "reactors", "io_uring"})
        EXPECT_NE(line.find(name), std::string::npos) << "names " << name << ": " << line;
}

TEST(cli, bad_flags_exit_2_with_one_line) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"serve", "--backend=select", "--no-such-flag"},
          {"serve", "--backend=select", "--port=70000"},
          {"serve", "--backend=select", "--port=http"},
          {"serve", "--backend=select", "--max-line=0"},
          {"serve", "--backend=select", "--threads=0"},
          {"serve", "--backend=prefork", "--workers=0"},
          {"serve", "--backend=select", "--max-conns=-3"},
          {"no-such-command"}}) {
        const auto r = run_robotbench(args);
        std::string shown;
        for (const auto& a : args) shown += a + " ";
        EXPECT_EQ(r.status, 2) << shown << "\n" << r.output;
        EXPECT_EQ(r.lines.size(), 1u) << shown << "\n" << r.output;
    }
}

TEST(cli, bad_host_fails_cleanly) {
    const auto r = run_robotbench({"serve", "--backend=select", "--host=not-an-address"});
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.status, -1) << "it must exit, not hang or crash";
    ASSERT_EQ(r.lines.size(), 1u) << r.output;
    EXPECT_NE(r.lines[0].find("not-an-address"), std::string::npos) << r.lines[0];
}

TEST(cli, list_prints_every_backend) {
    const auto r = run_robotbench({"list"});
    EXPECT_EQ(r.status, 0);
    for (const char* name : {"select", "fork", "thread", "libuv", "thread-per-client", "prefork",
                             "epoll", "reactors", "io_uring"}) {
        bool found = false;
        for (const auto& line : r.lines) found |= line.starts_with(std::string(name) + " ");
        EXPECT_TRUE(found) << "no line for " << name << " in\n" << r.output;
    }
    EXPECT_NE(r.output.find("thread-pool"), std::string::npos) << "the alias is listed";
}

TEST(cli, serve_prints_the_listening_line_first) {
    child_process child({robotbench_exe(), "serve", "--backend=select", "--port=0", "--quiet"});
    const auto line = child.read_line(5s);
    ASSERT_TRUE(line) << "no output";
    const std::string prefix = "listening on 127.0.0.1:";
    ASSERT_TRUE(line->starts_with(prefix)) << *line;
    const std::string digits = line->substr(prefix.size());
    ASSERT_FALSE(digits.empty());
    ASSERT_EQ(digits.find_first_not_of("0123456789"), std::string::npos) << *line;
    const int port = std::stoi(digits);
    EXPECT_GT(port, 0) << "port 0 must be replaced by the real port";
    client c(static_cast<std::uint16_t>(port));
    EXPECT_EQ(c.ask("there"), "====there====") << "the port printed is the one served";
    child.signal(SIGTERM);
    const auto status = child.wait_for(5s);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST(cli, max_line_flag_sets_the_limit) {
    server_process server("select", {"--max-line=8"});
    ASSERT_NE(server.port(), 0);
    client c(server.port());
    EXPECT_EQ(c.ask("12345678"), "====12345678====");
    ASSERT_TRUE(c.send("123456789\n"));
    std::string rest;
    EXPECT_TRUE(c.read_to_eof(rest));
    EXPECT_EQ(rest, "!ERR line too long\n");
}

// Reads lines until one equals `want` or 3 s pass.
bool saw_line(child_process& child, const std::string& want) {
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        const auto line = child.read_line(left);
        if (!line) return false;
        if (*line == want) return true;
    }
}

TEST(cli, serve_shows_the_online_count_on_stderr) {
    child_process child(
        {"/bin/sh", "-c", "exec \"$0\" serve --backend=select --port=0 2>&1", robotbench_exe()});
    const auto line = child.read_line(5s);
    ASSERT_TRUE(line && line->starts_with("listening on ")) << line.value_or("<none>");
    const auto port = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
    {
        client a(port), b(port);
        EXPECT_EQ(a.ask("x"), "====x====");
        EXPECT_EQ(b.ask("y"), "====y====");
        EXPECT_TRUE(saw_line(child, "online 2")) << "stderr shows the count when it changes";
    }
    EXPECT_TRUE(saw_line(child, "online 0"));
    child.signal(SIGTERM);
    EXPECT_TRUE(child.wait_for(5s));
}

TEST(cli, quiet_turns_the_online_lines_off) {
    child_process child({"/bin/sh", "-c",
                         "exec \"$0\" serve --backend=select --port=0 --quiet 2>&1",
                         robotbench_exe()});
    const auto line = child.read_line(5s);
    ASSERT_TRUE(line && line->starts_with("listening on ")) << line.value_or("<none>");
    const auto port = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
    {
        client a(port);
        EXPECT_EQ(a.ask("x"), "====x====");
        std::this_thread::sleep_for(300ms);  // the count is shown at most every 100 ms
    }
    std::this_thread::sleep_for(300ms);
    child.signal(SIGTERM);
    std::vector<std::string> rest;
    while (auto more = child.read_line(3s)) rest.push_back(*more);
    EXPECT_EQ(rest, std::vector<std::string>{}) << "nothing after the listening line";
    EXPECT_TRUE(child.wait_for(5s));
}

TEST(cli, a_stderr_that_cannot_be_written_does_not_stop_the_server) {
    // /dev/full fails every write: the `online N` lines cannot be shown, serving must go on.
    server_process server(std::vector<std::string>{
        "/bin/sh", "-c", "exec \"$0\" serve --backend=select --port=0 2>/dev/full",
        robotbench_exe()});
    ASSERT_NE(server.port(), 0);
    client first(server.port());
    ASSERT_TRUE(first.connected());
    EXPECT_EQ(first.ask("hello"), "====hello====");
    std::this_thread::sleep_for(300ms);  // the count changed: the supervisor has tried to print
    client second(server.port());
    EXPECT_EQ(second.ask("/online"), "online 2");
    EXPECT_EQ(server.terminate(), 0);
}

}  // namespace
}  // namespace robotbench::test
