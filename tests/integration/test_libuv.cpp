// The libuv backend's own paths: replies that leave through uv_write when the socket does not
// take them at once, shedding by libuv's spare descriptor when out of descriptors (without a
// busy loop), and stopping with writes still queued.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "protocol/reply.hpp"
#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

// CPU time (user + sys) a running process has used so far, in clock ticks; -1 if it is gone.
long cpu_ticks(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(file, text)) return -1;
    // Fields after the command name, which ends at the last ')': state is field 3, utime 14.
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string skip;
    for (int field = 3; field < 14; ++field) fields >> skip;
    long user = 0, sys = 0;
    fields >> user >> sys;
    return user + sys;
}

// Pushes `batch` without blocking until the socket stops taking bytes; false if it never does
// within `budget` bytes.
bool push_until_blocked(int fd, const std::string& batch, std::size_t budget) {
    std::size_t sent = 0;
    while (sent < budget) {
        const auto n = ::send(fd, batch.data(), batch.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            if (static_cast<std::size_t>(n) < batch.size()) return true;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    return false;
}

TEST(libuv, large_pipelined_burst_comes_back_whole_and_in_order_before_quit) {
    server_process server("libuv");
    ASSERT_NE(server.port(), 0);
    client c(server.port());
    ASSERT_TRUE(c.connected());
    // 16 MB of replies: more than the socket buffers hold, so most of them leave through a
    // queued uv_write while the client is not reading yet.
    constexpr int lines = 8000;
    std::string requests, expected;
    for (int i = 0; i < lines; ++i) {
        std::string payload = std::to_string(i) + ":";
        payload.resize(2000, static_cast<char>('a' + i % 26));
        requests += payload + "\n";
        expected += "====" + payload + "====\n";
    }
    requests += "/quit\n";
    expected += protocol::bye_reply;

    bool sent = false;
    std::thread writer([&] { sent = c.send(requests); });
    std::this_thread::sleep_for(300ms);  // let the server's send buffer fill up
    std::string got;
    const bool closed = c.read_to_eof(got, 30s);
    writer.join();
    EXPECT_TRUE(sent);
    EXPECT_TRUE(closed) << "the server did not close after /quit";
    ASSERT_EQ(got.size(), expected.size());
    EXPECT_TRUE(got == expected) << "replies differ from the requests' echoes";
    EXPECT_EQ(online_eventually(server.port(), 1), 1);
    EXPECT_EQ(server.terminate(), 0);
}

TEST(libuv, out_of_descriptors_sheds_clients_without_spinning_and_recovers) {
    raise_fd_limit();
    // A descriptor limit of 48 (soft and hard, so serve cannot raise it) for the server only.
    server_process server(std::vector<std::string>{
        "/bin/sh", "-c", "ulimit -n 48 && exec \"$0\" serve --backend=libuv --port=0 --quiet",
        robotbench_exe()});
    ASSERT_NE(server.port(), 0);

    constexpr int clients_wanted = 80;
    std::vector<client> clients;
    int served = 0, shed = 0;
    for (int i = 0; i < clients_wanted; ++i) {
        clients.emplace_back(server.port());
        ASSERT_TRUE(clients.back().connected());
        const auto reply = clients.back().ask("c" + std::to_string(i), 2s);
        if (reply == "====c" + std::to_string(i) + "====") {
            ++served;
        } else {
            std::string rest;
            // A shed client is closed at once (EOF or reset), never left hanging.
            EXPECT_TRUE(clients.back().read_to_eof(rest, 2s)) << "client " << i;
            ++shed;
        }
    }
    EXPECT_GT(served, 0);
    EXPECT_GT(shed, 0) << "the limit was never reached; the test proves nothing";
    EXPECT_EQ(served + shed, clients_wanted);

    // Idle at the limit, the loop sleeps: far less than one core-second per second.
    const long before = cpu_ticks(server.pid());
    std::this_thread::sleep_for(1s);
    const long used = cpu_ticks(server.pid()) - before;
    EXPECT_LT(used, ::sysconf(_SC_CLK_TCK) / 2) << "the server spins at its descriptor limit";

    clients.clear();
    EXPECT_EQ(online_eventually(server.port(), 1), 1);
    client after(server.port());
    EXPECT_EQ(after.ask("after"), "====after====");
    EXPECT_EQ(server.terminate(), 0);
}

TEST(libuv, stop_with_writes_queued_exits_0_within_2s) {
    server_process server("libuv");
    ASSERT_NE(server.port(), 0);
    std::vector<client> slow;
    const std::string batch = [] {
        std::string lines;
        for (int i = 0; i < 100; ++i) lines += std::string(1000, 'q') + "\n";
        return lines;
    }();
    for (int i = 0; i < 4; ++i) {
        slow.emplace_back(server.port());
        ASSERT_TRUE(slow.back().connected());
        // The server stops reading once its replies no longer fit: a write is queued in libuv.
        ASSERT_TRUE(push_until_blocked(slow.back().fd(), batch, std::size_t{256} << 20));
    }
    client idle(server.port());
    ASSERT_TRUE(idle.send("half a line"));
    EXPECT_EQ(online_eventually(server.port(), 6), 6);

    // Exit status 0 also means no leak report under AddressSanitizer.
    EXPECT_EQ(server.terminate(2s), 0);
    for (auto& c : slow) {
        std::string rest;
        EXPECT_TRUE(c.read_to_eof(rest, 2s)) << "a client was left open";
    }
}

}  // namespace
}  // namespace robotbench::test
