// The libuv backend's own paths: replies that leave through uv_write when the socket does not
// take them at once, and stopping with writes still queued. What it does out of descriptors is
// tested for every backend in test_protocol.cpp.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "protocol/reply.hpp"
#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

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
