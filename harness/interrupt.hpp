#pragma once
// Ctrl-C during a benchmark, as wrk does it: the first SIGINT ends the measured window early so
// that what was measured is still reported and written; a second one aborts at once.

#include <signal.h>

#include <atomic>

namespace robotbench {

// Installs the SIGINT handler for its lifetime and restores the previous one after. Construct
// on the main thread before the first run; one at a time.
class interrupt_guard {
  public:
    interrupt_guard();
    interrupt_guard(const interrupt_guard&) = delete;
    interrupt_guard& operator=(const interrupt_guard&) = delete;
    ~interrupt_guard();

    // Set by the first SIGINT; any thread may read it. The load generator's stop flag.
    static const std::atomic<bool>& requested() noexcept;

  private:
    struct sigaction previous_{};
};

}  // namespace robotbench
