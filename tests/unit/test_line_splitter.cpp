// The line splitter: LF ends a line, one CR before it is dropped, limits hold across chunks.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/line_splitter.hpp"

namespace robotbench::protocol {
namespace {

std::vector<std::string> split(line_splitter& s, std::string_view bytes, split_status& status) {
    std::vector<std::string> lines;
    status = s.feed(bytes, [&](std::string_view line) {
        lines.emplace_back(line);
        return true;
    });
    return lines;
}

TEST(line_splitter, drops_one_cr_before_lf) {
    line_splitter s(16);
    split_status status;
    EXPECT_EQ(split(s, "a\r\nb\r\r\n\n", status), (std::vector<std::string>{"a", "b\r", ""}));
    EXPECT_EQ(status, split_status::ok);
}

}  // namespace
}  // namespace robotbench::protocol
