// The words `robotbench list` and `serve` use when the kernel refuses io_uring: every cause
// is named (the sysctl and its value, a filter, a missing feature and the kernel it needs).

#include <gtest/gtest.h>

#include <cerrno>

#include "backends/io_uring_refusal.hpp"

namespace robotbench {
namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(io_uring_refusal, disabled_2_names_the_sysctl_and_the_failed_call) {
    const auto why = describe({io_uring_step::setup, EPERM, 2});
    EXPECT_TRUE(has(why, "kernel.io_uring_disabled is 2")) << why;
    EXPECT_TRUE(has(why, "every process")) << why;
    EXPECT_TRUE(has(why, "io_uring_setup: Operation not permitted")) << why;
}

TEST(io_uring_refusal, disabled_1_names_the_group_sysctl) {
    const auto why = describe({io_uring_step::setup, EPERM, 1});
    EXPECT_TRUE(has(why, "kernel.io_uring_disabled is 1")) << why;
    EXPECT_TRUE(has(why, "kernel.io_uring_group")) << why;
}

TEST(io_uring_refusal, a_refusal_the_sysctl_does_not_explain_points_at_a_filter) {
    const auto with_sysctl = describe({io_uring_step::setup, EPERM, 0});
    EXPECT_TRUE(has(with_sysctl, "io_uring_setup: Operation not permitted")) << with_sysctl;
    EXPECT_TRUE(has(with_sysctl, "kernel.io_uring_disabled is 0")) << with_sysctl;
    EXPECT_TRUE(has(with_sysctl, "seccomp")) << with_sysctl;

    const auto unreadable = describe({io_uring_step::setup, EPERM, std::nullopt});
    EXPECT_FALSE(has(unreadable, "io_uring_disabled")) << unreadable;
    EXPECT_TRUE(has(unreadable, "seccomp")) << unreadable;

    // Group members pass the sysctl at 1; a refusal then is something else again.
    EXPECT_FALSE(has(describe({io_uring_step::setup, ENOMEM, 1}), "io_uring_group"));
}

TEST(io_uring_refusal, a_kernel_without_io_uring_says_so) {
    const auto why = describe({io_uring_step::setup, ENOSYS, std::nullopt});
    EXPECT_TRUE(has(why, "the kernel has no io_uring")) << why;
    EXPECT_TRUE(has(why, "Function not implemented")) << why;
}

TEST(io_uring_refusal, a_missing_feature_names_the_kernel_that_brought_it) {
    const auto recv = describe({io_uring_step::multishot_recv, EINVAL, 0});
    EXPECT_TRUE(has(recv, "the kernel lacks multishot recv")) << recv;
    EXPECT_TRUE(has(recv, "Linux 6.0")) << recv;
    const auto accept = describe({io_uring_step::multishot_accept, EOPNOTSUPP, 0});
    EXPECT_TRUE(has(accept, "multishot accept")) << accept;
    EXPECT_TRUE(has(accept, "Linux 5.19")) << accept;
    const auto buffers = describe({io_uring_step::buffer_ring, EINVAL, 0});
    EXPECT_TRUE(has(buffers, "provided buffer ring")) << buffers;
}

TEST(io_uring_refusal, any_other_error_is_the_step_and_its_errno) {
    EXPECT_EQ(describe({io_uring_step::buffer_ring, ENOMEM, 0}),
              "provided buffer ring: Cannot allocate memory");
    EXPECT_EQ(describe({io_uring_step::setup, EMFILE, 0}), "io_uring_setup: Too many open files");
}

TEST(io_uring_refusal, parses_the_sysctl_file) {
    EXPECT_EQ(parse_io_uring_disabled("2\n"), 2);
    EXPECT_EQ(parse_io_uring_disabled("0"), 0);
    EXPECT_EQ(parse_io_uring_disabled(""), std::nullopt);
    EXPECT_EQ(parse_io_uring_disabled("\n"), std::nullopt);
    EXPECT_EQ(parse_io_uring_disabled("two\n"), std::nullopt);
}

}  // namespace
}  // namespace robotbench
