#include "interrupt.hpp"

#include <cstring>

namespace robotbench {

namespace {

std::atomic<bool> interrupt_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

// The first SIGINT asks the run to stop; the second takes the default action (the process ends,
// killed by SIGINT, and the server child follows through its parent-death signal).
extern "C" void on_sigint(int) {
    if (interrupt_requested.exchange(true)) {
        ::signal(SIGINT, SIG_DFL);
        ::raise(SIGINT);
    }
}

}  // namespace

interrupt_guard::interrupt_guard() {
    interrupt_requested.store(false);
    struct sigaction action {};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, &previous_);
}

interrupt_guard::~interrupt_guard() {
    ::sigaction(SIGINT, &previous_, nullptr);
}

const std::atomic<bool>& interrupt_guard::requested() noexcept {
    return interrupt_requested;
}

}  // namespace robotbench
