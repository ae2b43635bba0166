#pragma once
// Why io_uring cannot be used, in words for `robotbench list` and `robotbench serve`. Pure
// functions, built with or without liburing, so every wording is tested on any kernel.

#include <optional>
#include <string>
#include <string_view>

namespace robotbench {

// What the io_uring backend needs, in the order the availability probe tries it.
enum class io_uring_step {
    setup,             // io_uring_setup(2) itself
    buffer_ring,       // registering a provided-buffer ring (Linux 5.19)
    multishot_accept,  // one accept request that completes once per client (Linux 5.19)
    multishot_recv,    // one recv request that completes once per buffer filled (Linux 6.0)
};

// What the probe saw when a step failed.
struct io_uring_refusal {
    io_uring_step step = io_uring_step::setup;
    int error = 0;                 // the errno the step failed with
    std::optional<int> disabled;   // kernel.io_uring_disabled, when it could be read
};

// One line naming the cause: the sysctl's value when it explains the refusal, the kernel version
// a missing feature needs, or else the failed step and its errno.
std::string describe(const io_uring_refusal& refusal);

// The value in the text of /proc/sys/kernel/io_uring_disabled ("2\n"); nullopt if none.
std::optional<int> parse_io_uring_disabled(std::string_view text);

}  // namespace robotbench
