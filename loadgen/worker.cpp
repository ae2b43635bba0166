// The parts every generator thread shares.

#include "worker.hpp"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace robotbench::loadgen {

void worker::tune_thread(bool batch) noexcept {
    constexpr unsigned long timer_slack_ns = 1000;
    ::prctl(PR_SET_TIMERSLACK, timer_slack_ns);
    if (!batch) return;
    const sched_param param{};
    ::sched_setscheduler(0, SCHED_BATCH, &param);  // this thread only; best effort
}

void worker::publish(const histogram* pending) {
    std::lock_guard guard(slot_.lock);
    slot_.replies = stats_.replies;
    slot_.errors = stats_.errors.total();
    slot_.latency = stats_.latency;
    if (pending != nullptr) slot_.latency.merge(*pending);
}

void worker::record_cpu() noexcept {
    rusage usage{};
    if (::getrusage(RUSAGE_THREAD, &usage) != 0) return;
    stats_.cpu.user_s = double(usage.ru_utime.tv_sec) + usage.ru_utime.tv_usec / 1e6;
    stats_.cpu.sys_s = double(usage.ru_stime.tv_sec) + usage.ru_stime.tv_usec / 1e6;
}

}  // namespace robotbench::loadgen
