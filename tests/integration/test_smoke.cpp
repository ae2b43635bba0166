// Every backend answers the basic robot exchange through the real server process.

#include <gtest/gtest.h>

#include "backends/backend.hpp"
#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

class smoke : public ::testing::TestWithParam<std::string> {};

TEST_P(smoke, echoes_and_counts) {
    server_process server(GetParam());
    ASSERT_NE(server.port(), 0);
    client c(server.port());
    ASSERT_TRUE(c.connected());
    EXPECT_EQ(c.ask("hello"), "====hello====");
    EXPECT_EQ(c.ask("/online"), "online 1");
    EXPECT_EQ(server.terminate(), 0);
}

INSTANTIATE_TEST_SUITE_P(backends, smoke, ::testing::Values("select"));

}  // namespace
}  // namespace robotbench::test
