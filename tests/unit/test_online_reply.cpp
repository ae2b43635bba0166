// The `/online` answer parser: `online ` and a count in decimal ASCII digits with no sign,
// padding or leading zeros that fits in 64 bits (docs/protocol.md). Anything else is not a count.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "protocol/reply.hpp"

namespace robotbench::protocol {
namespace {

TEST(online_reply, a_count_in_digits_is_read) {
    EXPECT_EQ(parse_online_reply("online 0"), 0);
    EXPECT_EQ(parse_online_reply("online 1"), 1);
    EXPECT_EQ(parse_online_reply("online 42"), 42);
    EXPECT_EQ(parse_online_reply("online 10000"), 10000);
}

TEST(online_reply, the_largest_count_that_fits_is_read_and_one_more_is_malformed) {
    constexpr auto most = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(parse_online_reply("online " + std::to_string(most)), most);
    EXPECT_EQ(parse_online_reply("online 9223372036854775808"), std::nullopt);
    EXPECT_EQ(parse_online_reply("online 99999999999999999999"), std::nullopt);
    EXPECT_EQ(parse_online_reply("online 18446744073709551616"), std::nullopt);
    EXPECT_EQ(parse_online_reply("online " + std::string(400, '9')), std::nullopt);
}

TEST(online_reply, a_sign_is_malformed) {
    for (const std::string line : {"online -5", "online +5", "online -0", "online +0", "online -",
                                   "online --5", "online -9223372036854775808"}) {
        EXPECT_EQ(parse_online_reply(line), std::nullopt) << line;
    }
}

TEST(online_reply, padding_and_leading_zeros_are_malformed) {
    for (const std::string line :
         {"online  5", "online 5 ", "online \t5", "online 5\t", "online 05", "online 00",
          "online 007", "online 5\r", "online 5\n", "online 1,000", "online 1_000"}) {
        EXPECT_EQ(parse_online_reply(line), std::nullopt) << ::testing::PrintToString(line);
    }
}

TEST(online_reply, anything_but_digits_is_malformed) {
    for (const std::string& line :
         std::vector<std::string>{"online ", "online", "online \xff", "online 5\xff", "online x",
                                  "online 0x10", "online 1e3", "online 1.0", "online \xd9\xa3",
                                  std::string("online 5\0", 9), std::string("online \0", 8)}) {
        EXPECT_EQ(parse_online_reply(line), std::nullopt) << ::testing::PrintToString(line);
    }
}

TEST(online_reply, only_the_exact_prefix_counts) {
    for (const std::string line : {"Online 5", "ONLINE 5", "online5", " online 5", "online: 5",
                                   "====online 5====", "====/online====", "5", ""}) {
        EXPECT_EQ(parse_online_reply(line), std::nullopt) << ::testing::PrintToString(line);
    }
}

}  // namespace
}  // namespace robotbench::protocol
