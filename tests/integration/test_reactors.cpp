// The reactors backend: --threads N runs N event loops (the serving thread's and N-1 more), the
// clients dealt over them all see one online count, and stopping ends every loop thread.

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

std::string fenced(const std::string& payload) {
    return "====" + payload + "====";
}

TEST(reactors, threads_flag_sets_the_event_loops_and_every_loop_serves) {
    for (const int loops : {1, 3}) {
        SCOPED_TRACE("--threads=" + std::to_string(loops));
        server_process server("reactors", {"--threads=" + std::to_string(loops)});
        ASSERT_NE(server.port(), 0);
        // More clients than loops, each pipelining a few lines, so every loop holds several.
        constexpr int n = 12;
        std::vector<client> clients;
        for (int i = 0; i < n; ++i) {
            clients.emplace_back(server.port());
            ASSERT_TRUE(clients.back().connected());
        }
        for (int i = 0; i < n; ++i) {
            const std::string id = std::to_string(i);
            ASSERT_TRUE(clients[i].send(id + " one\n" + id + " two\n" + id + " three\n"));
        }
        for (int i = 0; i < n; ++i) {
            const std::string id = std::to_string(i);
            for (const char* word : {" one", " two", " three"})
                EXPECT_EQ(clients[i].read_line(), fenced(id + word));
        }
        // One count for all the loops, whichever loop the asker is on.
        for (auto& c : clients) EXPECT_EQ(c.ask("/online"), "online " + std::to_string(n));
        // The loops and the signal-watching thread; a sanitizer runtime may add one of its own.
        const int threads = static_cast<int>(thread_count(server.pid()));
        EXPECT_GE(threads, loops + 1);
        EXPECT_LE(threads, loops + 2);
        EXPECT_EQ(server.terminate(), 0);
        for (auto& c : clients) {
            std::string rest;
            EXPECT_TRUE(c.read_to_eof(rest, 2s)) << "every loop closes its clients on stop";
        }
    }
}

}  // namespace
}  // namespace robotbench::test
