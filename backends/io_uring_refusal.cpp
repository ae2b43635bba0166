#include "io_uring_refusal.hpp"

#include <cerrno>
#include <charconv>
#include <system_error>

#include <fmt/core.h>

namespace robotbench {

namespace {

struct step_text {
    const char* what;   // the step, as the message names it
    const char* needs;  // the kernel that brought it; empty for setup
};

step_text text_of(io_uring_step step) {
    switch (step) {
        case io_uring_step::setup: return {"io_uring_setup", ""};
        case io_uring_step::buffer_ring: return {"provided buffer ring", "Linux 5.19"};
        case io_uring_step::multishot_accept: return {"multishot accept", "Linux 5.19"};
        case io_uring_step::multishot_recv: return {"multishot recv", "Linux 6.0"};
    }
    return {"io_uring", ""};
}

}  // namespace

std::string describe(const io_uring_refusal& refusal) {
    const auto [what, needs] = text_of(refusal.step);
    const std::string failed =
        fmt::format("{}: {}", what, std::generic_category().message(refusal.error));
    const bool denied = refusal.error == EPERM || refusal.error == EACCES;
    if (refusal.disabled == 2)
        return fmt::format("kernel.io_uring_disabled is 2: io_uring is off for every process ({})",
                           failed);
    if (refusal.disabled == 1 && denied)
        return fmt::format(
            "kernel.io_uring_disabled is 1: only the group in kernel.io_uring_group may use "
            "io_uring ({})",
            failed);
    if (refusal.step == io_uring_step::setup) {
        if (refusal.error == ENOSYS)
            return fmt::format("the kernel has no io_uring ({})", failed);
        if (denied && refusal.disabled)
            return fmt::format(
                "{} (kernel.io_uring_disabled is {}, so a seccomp filter or container policy "
                "blocks it)",
                failed, *refusal.disabled);
        if (denied)
            return fmt::format("{} (a seccomp filter or container policy may block it)", failed);
        return failed;
    }
    if (refusal.error == EINVAL || refusal.error == EOPNOTSUPP)
        return fmt::format("the kernel lacks {} (needs {}; {})", what, needs, failed);
    return failed;
}

std::optional<int> parse_io_uring_disabled(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

}  // namespace robotbench
