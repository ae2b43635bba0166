// `robotbench serve --idle-timeout D` for every backend (docs/protocol.md, "Idle clients"): a
// client that makes no progress for D (no complete request line arrives and none of its replies
// leave) is told `!ERR idle timeout` and closed, and counted off; a client that keeps talking is
// not; a client that trickles an unfinished line byte by byte (slowloris) is closed all the same.
// Run one backend with --gtest_filter='*/fork'.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/backends.hpp"
#include "support/client.hpp"
#include "support/command.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

using namespace std::string_literals;
using clock_type = std::chrono::steady_clock;

constexpr std::string_view idle_notice = "!ERR idle timeout\n";

// The bound on how much later than D a client may be closed: generous, since the machine running
// the tests may be busy.
constexpr auto late_by = 3s;

std::chrono::milliseconds since(clock_type::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
}

// Asks `/online` on a fresh connection until it reports `expected` or `patience` passes; returns
// the last count seen. The asker counts itself.
std::int64_t online_within(std::uint16_t port, std::int64_t expected,
                           std::chrono::milliseconds patience) {
    const auto deadline = clock_type::now() + patience;
    std::int64_t seen = -1;
    do {
        client asker(port);
        const auto reply = asker.ask("/online");
        if (reply && reply->starts_with("online ")) seen = std::stoll(reply->substr(7));
        if (seen == expected) break;
        asker.close();
        std::this_thread::sleep_for(20ms);
    } while (clock_type::now() < deadline);
    return seen;
}

// Asks `/online` on an open connection until it reports `expected` or 3 s pass; returns the last
// reply. Each ask is progress, so the asker itself is never idle.
std::string online_on(client& asker, std::int64_t expected) {
    const std::string want = "online " + std::to_string(expected);
    const auto deadline = clock_type::now() + 3s;
    std::string seen;
    do {
        seen = asker.ask("/online").value_or("<no reply>");
        if (seen == want) break;
        std::this_thread::sleep_for(20ms);
    } while (clock_type::now() < deadline);
    return seen;
}

class idle_timeout_test : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (const auto why = backend_unavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    }

    // Starts the backend with --idle-timeout=`timeout` and `extra`; a prefork server gets a
    // small pool (--workers=4 unless `extra` says otherwise), awaited. Returns the port or 0.
    std::uint16_t start(std::chrono::milliseconds timeout, std::vector<std::string> extra = {}) {
        extra.push_back("--idle-timeout=" + std::to_string(timeout.count()) + "ms");
        std::size_t workers = 0;
        if (GetParam() == "prefork") {
            workers = 4;
            for (const auto& arg : extra)
                if (arg.starts_with("--workers=")) workers = std::stoul(arg.substr(10));
            if (workers == 4) extra.push_back("--workers=4");
        }
        server_.emplace(GetParam(), extra);
        const auto deadline = clock_type::now() + 10s;
        while (server_->port() != 0 && descendant_pids(server_->pid()).size() < workers &&
               clock_type::now() < deadline)
            std::this_thread::sleep_for(10ms);
        return server_->port();
    }

private:
    std::optional<server_process> server_;
};

TEST_P(idle_timeout_test, a_silent_client_is_told_and_closed_after_the_timeout_and_counted_off) {
    constexpr auto d = 500ms;
    const auto port = start(d);
    ASSERT_NE(port, 0);
    client silent(port);
    const auto sent = clock_type::now();  // the server's last sight of it comes after this
    ASSERT_EQ(silent.ask("only once"), "====only once====");
    EXPECT_EQ(online_within(port, 2, 1s), 2) << "the silent client and the asker";

    std::string got;
    EXPECT_TRUE(silent.read_to_eof(got, d + late_by)) << "a silent client must be closed";
    const auto closed_after = since(sent);
    EXPECT_EQ(got, idle_notice) << "the server says why, then closes";
    EXPECT_GE(closed_after, d) << "closed before it was silent for the timeout";
    EXPECT_LE(closed_after, d + late_by);
    EXPECT_EQ(online_within(port, 1, 3s), 1) << "the closed client is counted off";
}

TEST_P(idle_timeout_test, a_client_talking_every_third_of_the_timeout_stays_a_silent_one_goes) {
    constexpr auto d = 1000ms;
    const auto port = start(d);
    ASSERT_NE(port, 0);
    client active(port), silent(port);
    ASSERT_EQ(active.ask("hello"), "====hello====");
    ASSERT_EQ(silent.ask("hello"), "====hello====");
    const auto start_time = clock_type::now();
    int answered = 0, asked = 0;
    while (since(start_time) < 2 * d) {
        std::this_thread::sleep_for(d / 3);
        const auto line = "still here " + std::to_string(asked++);
        answered += active.ask(line) == "====" + line + "====";
    }
    EXPECT_EQ(answered, asked) << "a client that talks within the timeout is served throughout";

    std::string got;
    EXPECT_TRUE(silent.read_to_eof(got, late_by)) << "the silent one was closed meanwhile";
    EXPECT_EQ(got, idle_notice);
    EXPECT_EQ(online_on(active, 1), "online 1") << "the silent client is counted off";
    client fresh(port);
    EXPECT_EQ(fresh.ask("newcomer"), "====newcomer====") << "newcomers are served";
}

TEST_P(idle_timeout_test, a_client_trickling_an_unfinished_line_is_closed_all_the_same) {
    // Slowloris: a byte every third of the timeout keeps the connection busy but never completes
    // a line; only complete lines (or replies leaving) count as progress.
    constexpr auto d = 500ms;
    const auto port = start(d);
    ASSERT_NE(port, 0);
    const auto connected = clock_type::now();
    client slow(port);
    ASSERT_TRUE(slow.connected());
    slow.set_nodelay();
    std::string got;
    bool closed = false;
    int bytes = 0;
    while (!closed && since(connected) < d + late_by) {
        if (!slow.send("x")) break;  // the server closed it (and the peer reset us)
        ++bytes;
        closed = slow.read_to_eof(got, d / 3);
    }
    if (!closed) closed = slow.read_to_eof(got, 1s);
    const auto closed_after = since(connected);
    EXPECT_TRUE(closed) << "a client that never completes its line must be closed";
    EXPECT_GE(bytes, 3) << "it kept sending within the timeout";
    EXPECT_EQ(got, idle_notice);
    EXPECT_GE(closed_after, d);
    EXPECT_LE(closed_after, d + late_by);
    EXPECT_EQ(online_within(port, 1, 3s), 1);
}

TEST_P(idle_timeout_test, a_client_that_stops_reading_its_replies_is_closed_too) {
    // A slow reader: its requests pile up until the server pauses it, and then neither a line
    // arrives nor a reply leaves. It must not hold its slot (or a process or thread) for ever.
    constexpr auto d = 500ms;
    const auto port = start(d);
    ASSERT_NE(port, 0);
    client reader(port);
    ASSERT_EQ(reader.ask("warm up"), "====warm up====");
    // Short lines, so that the replies (five times the bytes) soon fill the server's output bound
    // and it pauses the reader; until then the lines it reads are progress.
    std::string block;
    while (block.size() < 64 * 1024) block += "u\n";
    std::thread writer([&] {
        for (int i = 0; i < 4096 && reader.send(block); ++i) {
        }
    });
    EXPECT_EQ(online_within(port, 1, d + late_by + 5s), 1) << "the slow reader is counted off";
    ::shutdown(reader.fd(), SHUT_RDWR);  // wakes the writer if it is still blocked
    writer.join();
    client fresh(port);
    EXPECT_EQ(fresh.ask("after"), "====after====") << "the server serves on";
}

TEST_P(idle_timeout_test, a_slot_held_by_a_silent_client_is_freed_for_the_next) {
    // One slot: --max-conns=1, or for prefork a single worker process.
    constexpr auto d = 500ms;
    const auto port = start(d, {GetParam() == "prefork" ? "--workers=1"s : "--max-conns=1"s});
    ASSERT_NE(port, 0);
    client holder(port);
    ASSERT_EQ(holder.ask("mine"), "====mine====");
    std::string got;
    EXPECT_TRUE(holder.read_to_eof(got, d + late_by));
    EXPECT_EQ(got, idle_notice);
    std::optional<std::string> reply;
    const auto deadline = clock_type::now() + 3s;
    do {  // the server counts the holder off just after closing it
        client next(port);
        reply = next.ask("my turn", 2s);
    } while (reply != "====my turn====" && clock_type::now() < deadline);
    EXPECT_EQ(reply, "====my turn====");
}

INSTANTIATE_TEST_SUITE_P(backends, idle_timeout_test, ::testing::ValuesIn(every_backend()),
                         backend_param_name);

TEST(idle_timeout_flag, zero_negative_or_malformed_values_exit_2_with_one_line) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"serve", "--backend=select", "--idle-timeout=0"},
          {"serve", "--backend=select", "--idle-timeout=0s"},
          {"serve", "--backend=select", "--idle-timeout=-1s"},
          {"serve", "--backend=select", "--idle-timeout", "-5s"},
          {"serve", "--backend=select", "--idle-timeout=soon"},
          {"serve", "--backend=select", "--idle-timeout=5x"},
          {"serve", "--backend=select", "--idle-timeout="},
          {"run", "--backend=select", "--server-idle-timeout=0"},
          {"sweep", "--backends=select", "--server-idle-timeout=never"}}) {
        const auto r = run_robotbench(args, 30s);
        const std::string shown = args.back();
        EXPECT_EQ(r.status, 2) << shown << "\n" << r.output;
        ASSERT_EQ(r.lines.size(), 1u) << shown << "\n" << r.output;
        EXPECT_NE(r.lines[0].find("idle-timeout"), std::string::npos)
            << "names the flag: " << r.lines[0];
    }
}

TEST(idle_timeout_flag, takes_a_duration_with_a_unit) {
    for (const char* value : {"30s", "500ms", "2m", "1.5s", "10"}) {
        server_process server("select", {"--idle-timeout="s + value});
        EXPECT_NE(server.port(), 0) << value;
        EXPECT_EQ(server.terminate(), 0) << value;
    }
}

TEST(idle_timeout_flag, run_gives_server_idle_timeout_to_the_server_it_starts) {
    // Idle connections that speak every 2 s against a server that closes a client silent for
    // 300 ms: the closes are errors, and the JSON records the setting.
    namespace fs = std::filesystem;
    const fs::path dir =
        fs::temp_directory_path() / ("robotbench-idle-run-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const auto r = run_robotbench({"run", "--backend=epoll", "--scenario=idle", "-c", "8",
                                   "--idle-interval=2s", "-d", "1s", "--warmup=0s",
                                   "--no-presence", "--server-idle-timeout=300ms",
                                   "--csv=" + (dir / "runs.csv").string(),
                                   "--json=" + (dir / "runs.json").string()});
    EXPECT_EQ(r.status, 1) << r.output;
    const auto row = last_csv_row(dir / "runs.csv");
    EXPECT_EQ(row.at("status"), "errors") << r.output;
    EXPECT_GT(number(row, "errors"), 0) << r.output;
    std::ifstream json(dir / "runs.json");
    const std::string text{std::istreambuf_iterator<char>(json), std::istreambuf_iterator<char>()};
    EXPECT_NE(text.find("\"server_idle_timeout\": \"300ms\""), std::string::npos) << text;
    fs::remove_all(dir);
}

TEST(idle_timeout_flag, is_off_by_default) {
    // Without the flag a silent client stays, however long (here: well past a short timeout).
    server_process server("epoll");
    ASSERT_NE(server.port(), 0);
    client silent(server.port());
    ASSERT_EQ(silent.ask("hello"), "====hello====");
    EXPECT_EQ(silent.read_line(1500ms), std::nullopt) << "nothing is said, nothing is closed";
    EXPECT_EQ(silent.ask("/online"), "online 1");
}

}  // namespace
}  // namespace robotbench::test
