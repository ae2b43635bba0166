// The edge-triggered epoll loop shared by the epoll and reactors backends: idle clients cost
// little memory (no client keeps a read buffer), and input a paused client left in its socket is
// read once its replies drain, although no new input arrives to announce it.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

std::string fenced(const std::string& payload) {
    return "====" + payload + "====";
}

class epoll_loop_backend : public ::testing::TestWithParam<std::string> {};

TEST_P(epoll_loop_backend, an_idle_client_costs_under_4_kib_of_server_memory) {
    raise_fd_limit();
    server_process server(GetParam());
    ASSERT_NE(server.port(), 0);
    // Warm up every loop (its thread, its allocator arena), then measure from there.
    {
        std::vector<client> warm;
        for (int i = 0; i < 16; ++i) {
            warm.emplace_back(server.port());
            ASSERT_EQ(warm.back().ask("warm " + std::to_string(i)),
                      fenced("warm " + std::to_string(i)));
        }
    }
    ASSERT_EQ(online_eventually(server.port(), 1), 1);
    const std::size_t rss_before = rss_kib(server.pid());

    // Each client is accepted, has a line answered (so its session has sent output once), then
    // stays connected and quiet.
    constexpr int n = 2000;
    std::vector<client> idle;
    idle.reserve(n);
    for (int i = 0; i < n; ++i) {
        idle.emplace_back(server.port());
        ASSERT_TRUE(idle.back().connected()) << "client " << i;
        ASSERT_TRUE(idle.back().send("idle client " + std::to_string(i) + "\n"));
    }
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    int answered = 0;
    for (int i = 0; i < n; ++i) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        answered +=
            idle[i].read_line(std::max(left, 1ms)) == fenced("idle client " + std::to_string(i));
    }
    ASSERT_EQ(answered, n);
    const std::size_t rss_after = rss_kib(server.pid());
    const double per_client_kib =
        static_cast<double>(rss_after - std::min(rss_after, rss_before)) / n;
    EXPECT_LT(per_client_kib, 4.0) << "server memory grew by " << rss_after - rss_before
                                   << " KiB for " << n << " idle clients";
    EXPECT_EQ(idle.front().ask("/online"), "online " + std::to_string(n));
    idle.clear();
    EXPECT_EQ(online_eventually(server.port(), 1), 1);
}

TEST_P(epoll_loop_backend, input_left_in_a_paused_socket_is_read_once_replies_drain) {
    server_process server(GetParam());
    ASSERT_NE(server.port(), 0);
    client c(server.port());
    ASSERT_EQ(c.ask("a"), fenced("a"));
    // 16 MiB of replies: more than the kernel buffers between server and client plus the 1 MiB
    // output bound, so the server stops reading this client with input still waiting in its
    // socket. No more input can arrive until the server reads again (the client's send blocks,
    // or has ended), so no new input edge comes: the server must remember that input is left.
    std::string requests, expected;
    for (int i = 0; expected.size() < 16 * 1024 * 1024; ++i) {
        const std::string payload = "paused input " + std::to_string(i);
        requests += payload + "\n";
        expected += fenced(payload) + "\n";
    }
    std::thread writer([&] { c.send(requests); });
    std::this_thread::sleep_for(300ms);  // the replies pile up unread and input pauses
    const auto got = c.read_bytes(expected.size(), 20s);
    if (got.size() != expected.size()) ::shutdown(c.fd(), SHUT_RDWR);  // unblocks the writer
    writer.join();
    EXPECT_EQ(got.size(), expected.size());
    const auto differ = std::mismatch(got.begin(), got.end(), expected.begin()).first;
    EXPECT_TRUE(got == expected) << "replies differ from byte " << (differ - got.begin());
    EXPECT_EQ(c.ask("after"), fenced("after"));
}

INSTANTIATE_TEST_SUITE_P(backends, epoll_loop_backend, ::testing::Values("epoll", "reactors"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace robotbench::test
