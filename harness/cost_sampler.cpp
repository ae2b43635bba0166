#include "cost_sampler.hpp"

#include <fmt/core.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "proc_stats.hpp"

namespace robotbench {

namespace {

double thread_cpu_s() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double ticks_per_s() {
    static const double hz = [] {
        const long v = ::sysconf(_SC_CLK_TCK);
        return v > 0 ? static_cast<double>(v) : 100.0;
    }();
    return hz;
}

}  // namespace

double value_at(std::span<const cost_sample> samples, double cost_sample::*total,
                sample_clock::time_point at) {
    if (samples.empty()) return 0;
    if (at <= samples.front().at) return samples.front().*total;
    if (at >= samples.back().at) return samples.back().*total;
    const auto after = std::upper_bound(samples.begin(), samples.end(), at,
                                        [](auto t, const cost_sample& s) { return t < s.at; });
    const cost_sample& next = *after;
    const cost_sample& prev = *(after - 1);
    const double span = std::chrono::duration<double>(next.at - prev.at).count();
    const double part = span > 0 ? std::chrono::duration<double>(at - prev.at).count() / span : 1;
    return prev.*total + part * (next.*total - prev.*total);
}

cost_sampler::cost_sampler(pid_t server, std::chrono::milliseconds interval)
    : server_(server), interval_(interval) {
    take_sample();
    thread_ = std::thread([this] { loop(); });
}

cost_sampler::~cost_sampler() {
    if (thread_.joinable()) {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }
}

void cost_sampler::finish() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
    take_sample();
}

void cost_sampler::loop() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
        lock.unlock();
        take_sample();
        sampler_cpu_s_ = thread_cpu_s();
        lock.lock();
    }
}

void cost_sampler::take_sample() {
    const auto started = sample_clock::now();
    cost_sample s;
    if (const auto self = read_proc_file(::getpid(), "stat")) {
        if (const auto st = parse_proc_stat(*self))
            s.self_cpu_s =
                static_cast<double>(st->utime + st->stime) / ticks_per_s() - sampler_cpu_s_;
    }
    if (server_ > 0) {
        const auto tree = process_tree(server_);
        if (samples_.empty() && !tree.empty())
            use_pss_ = read_proc_file(server_, "smaps_rollup").has_value();
        thread_map seen;
        for (const pid_t pid : tree) {
            const auto stat_text = read_proc_file(pid, "stat");
            const auto st = stat_text ? parse_proc_stat(*stat_text) : std::nullopt;
            if (!st) continue;  // it ended meanwhile
            s.server_threads += st->threads;
            ++s.server_processes;
            s.server_memory_kib += memory_kib(pid);
            count_threads(pid, seen);
        }
        last_threads_ = std::move(seen);
        s.server_user_s = user_s_total_;
        s.server_sys_s = sys_s_total_;
        s.server_voluntary = voluntary_total_;
        s.server_involuntary = involuntary_total_;
        s.kernel_memory_kib = kernel_memory_kib().value_or(0);
    }
    // The files were read over the last few milliseconds: date the sample in their middle.
    s.at = started + (sample_clock::now() - started) / 2;
    samples_.push_back(s);
}

std::uint64_t cost_sampler::memory_kib(pid_t pid) const {
    if (use_pss_) {
        const auto rollup = read_proc_file(pid, "smaps_rollup");
        return rollup ? parse_pss_kib(*rollup).value_or(0) : 0;
    }
    const auto status = read_proc_file(pid, "status");
    return status ? parse_proc_status(*status).rss_kib : 0;
}

void cost_sampler::count_threads(pid_t pid, thread_map& seen) {
    // Per thread, so that CPU and context switches cover exactly the same work: /proc/PID/status
    // counts the switches of the one thread it names, and a process's stat folds in its ended
    // threads and reaped children, whose switches /proc does not show. A thread or child process
    // that both starts and ends between two samples, and the last part of one that ends, are
    // therefore missed by both.
    //
    // The CPU comes from schedstat, in nanoseconds: stat's clock ticks round each thread down to
    // a whole tick (10 ms), so a server whose clients each have a thread or process of their own
    // (fork, prefork, thread-per-client) and each use a few milliseconds read as 0 in stat. stat's
    // ticks only split that CPU into user and system time.
    for (const pid_t tid : process_threads(pid)) {
        const auto stat_text = read_proc_file(pid, fmt::format("task/{}/stat", tid));
        const auto status_text = read_proc_file(pid, fmt::format("task/{}/status", tid));
        const auto st = stat_text ? parse_proc_stat(*stat_text) : std::nullopt;
        if (!st || !status_text) continue;  // it ended meanwhile
        const auto sched_text = read_proc_file(pid, fmt::format("task/{}/schedstat", tid));
        const auto cpu_ns = sched_text ? parse_schedstat_ns(*sched_text) : std::nullopt;
        const auto status = parse_proc_status(*status_text);
        const thread_counts now{st->utime,           st->stime,
                                cpu_ns.value_or(0),  cpu_ns.has_value(),
                                status.voluntary_switches, status.involuntary_switches};
        // The increase since the thread was last seen; a thread new since then counts in full,
        // and on the first sample every thread only sets the baseline.
        const auto last = last_threads_.find(tid);
        const bool known = last != last_threads_.end();
        const bool is_new = !known && !samples_.empty();
        const thread_counts before = known            ? last->second
                                     : samples_.empty() ? now
                                                        : thread_counts{};
        const auto increase = [](std::uint64_t to, std::uint64_t from) {
            return to - std::min(to, from);
        };
        const double user_ticks = static_cast<double>(increase(now.user_ticks, before.user_ticks));
        const double sys_ticks = static_cast<double>(increase(now.sys_ticks, before.sys_ticks));
        if (now.exact && (before.exact || is_new)) {
            const double cpu_s = static_cast<double>(increase(now.cpu_ns, before.cpu_ns)) / 1e9;
            // The user share of this stretch as stat's ticks tell it, else of the thread's whole
            // life; with no tick at all, user time, as the kernel itself counts it
            // (cputime_adjust).
            const double all_user = static_cast<double>(now.user_ticks);
            const double all = all_user + static_cast<double>(now.sys_ticks);
            const double ticks = user_ticks + sys_ticks;
            const double user_share = ticks > 0 ? user_ticks / ticks
                                      : all > 0 ? all_user / all
                                                : 1.0;
            user_s_total_ += cpu_s * user_share;
            sys_s_total_ += cpu_s * (1 - user_share);
        } else {
            user_s_total_ += user_ticks / ticks_per_s();
            sys_s_total_ += sys_ticks / ticks_per_s();
        }
        voluntary_total_ += static_cast<double>(increase(now.voluntary, before.voluntary));
        involuntary_total_ += static_cast<double>(increase(now.involuntary, before.involuntary));
        seen[tid] = now;
    }
}

server_cost cost_sampler::server_window(sample_clock::time_point from,
                                        sample_clock::time_point to) const {
    const auto delta = [&](double cost_sample::*total) {
        return std::max(0.0, value_at(samples_, total, to) - value_at(samples_, total, from));
    };
    server_cost cost;
    cost.user_s = delta(&cost_sample::server_user_s);
    cost.sys_s = delta(&cost_sample::server_sys_s);
    cost.voluntary_switches =
        static_cast<std::uint64_t>(std::llround(delta(&cost_sample::server_voluntary)));
    cost.involuntary_switches =
        static_cast<std::uint64_t>(std::llround(delta(&cost_sample::server_involuntary)));
    cost.memory_metric = use_pss_ ? "PSS" : "RSS";
    if (!samples_.empty()) {
        cost.baseline_memory_kib = samples_.front().server_memory_kib;
        cost.baseline_kernel_kib = samples_.front().kernel_memory_kib;
    }
    for (const auto& s : samples_) {
        cost.peak_memory_kib = std::max(cost.peak_memory_kib, s.server_memory_kib);
        cost.peak_kernel_kib = std::max(cost.peak_kernel_kib, s.kernel_memory_kib);
        cost.peak_threads = std::max(cost.peak_threads, s.server_threads);
        cost.peak_processes = std::max(cost.peak_processes, s.server_processes);
    }
    return cost;
}

double cost_sampler::self_window_cpu_s(sample_clock::time_point from,
                                       sample_clock::time_point to) const {
    return std::max(0.0, value_at(samples_, &cost_sample::self_cpu_s, to) -
                             value_at(samples_, &cost_sample::self_cpu_s, from));
}

}  // namespace robotbench
