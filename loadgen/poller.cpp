// The precise-deadline epoll wait.

#include "poller.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <system_error>

#include "clock.hpp"

namespace robotbench::loadgen {

namespace {

constexpr std::uint32_t timer_token = ~0u;

[[noreturn]] void fail(const char* call) {
    throw std::system_error(errno, std::generic_category(), call);
}

timespec to_timespec(std::int64_t ns) {
    return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

}  // namespace

poller::poller() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (!epoll_) fail("epoll_create1");
}

void poller::add(int fd, std::uint32_t events, std::uint32_t token) {
    epoll_event ev{events, {.u32 = token}};
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) < 0) fail("epoll_ctl(ADD)");
}

void poller::modify(int fd, std::uint32_t events, std::uint32_t token) {
    epoll_event ev{events, {.u32 = token}};
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) < 0) fail("epoll_ctl(MOD)");
}

void poller::remove(int fd) noexcept {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

std::span<const epoll_event> poller::wait_until(std::int64_t deadline_ns) {
    if (!have_pwait2_) return wait_with_timerfd(deadline_ns);
    timespec timeout{};
    const timespec* timeout_ptr = nullptr;
    if (deadline_ns != never) {
        const std::int64_t left = deadline_ns - now_ns();
        timeout = to_timespec(left > 0 ? left : 0);
        timeout_ptr = &timeout;
    }
    const int n =
        ::epoll_pwait2(epoll_.get(), events_.data(), int(events_.size()), timeout_ptr, nullptr);
    if (n >= 0) return {events_.data(), std::size_t(n)};
    if (errno == EINTR) return {};
    if (errno != ENOSYS) fail("epoll_pwait2");
    have_pwait2_ = false;
    timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!timer_) fail("timerfd_create");
    add(timer_.get(), EPOLLIN, timer_token);
    return wait_with_timerfd(deadline_ns);
}

std::span<const epoll_event> poller::wait_with_timerfd(std::int64_t deadline_ns) {
    // An absolute deadline at or before now fires at once; `never` disarms the timer.
    itimerspec when{};
    if (deadline_ns != never) when.it_value = to_timespec(deadline_ns > 0 ? deadline_ns : 1);
    if (::timerfd_settime(timer_.get(), TFD_TIMER_ABSTIME, &when, nullptr) < 0)
        fail("timerfd_settime");
    const int n = ::epoll_wait(epoll_.get(), events_.data(), int(events_.size()), -1);
    if (n < 0) {
        if (errno == EINTR) return {};
        fail("epoll_wait");
    }
    // Drop the timer's own event, which only ends the wait.
    std::size_t kept = 0;
    for (int i = 0; i < n; ++i) {
        if (events_[i].data.u32 == timer_token) {
            std::uint64_t expirations;
            [[maybe_unused]] auto r = ::read(timer_.get(), &expirations, sizeof expirations);
            continue;
        }
        events_[kept++] = events_[i];
    }
    return {events_.data(), kept};
}

}  // namespace robotbench::loadgen
