// Reading /proc for the server's cost: the parsers, the process tree, and interpolating running
// totals at the measured window's ends.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "harness/cost_sampler.hpp"
#include "harness/proc_stats.hpp"

namespace robotbench {
namespace {

using namespace std::chrono_literals;

TEST(proc_stat, fields_after_a_command_name_with_spaces_and_parentheses) {
    const std::string text =
        "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 500 0 0 0 "
        "150 75 30 20 20 0 7 0 12345 1000000 200 18446744073709551615\n";
    const auto s = parse_proc_stat(text);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->utime, 150u);
    EXPECT_EQ(s->stime, 75u);
    EXPECT_EQ(s->cutime, 30u);
    EXPECT_EQ(s->cstime, 20u);
    EXPECT_EQ(s->threads, 7u);
    EXPECT_FALSE(parse_proc_stat("garbage"));
    EXPECT_FALSE(parse_proc_stat("1 (short) S 1 2"));
}

TEST(proc_status, context_switches_and_rss) {
    const std::string text =
        "Name:\trobotbench\nVmRSS:\t    4321 kB\nThreads:\t3\n"
        "voluntary_ctxt_switches:\t120\nnonvoluntary_ctxt_switches:\t7\n";
    const auto s = parse_proc_status(text);
    EXPECT_EQ(s.rss_kib, 4321u);
    EXPECT_EQ(s.voluntary_switches, 120u);
    EXPECT_EQ(s.involuntary_switches, 7u);
}

TEST(schedstat, time_on_a_cpu_in_nanoseconds) {
    EXPECT_EQ(parse_schedstat_ns("4273856 120431 37\n"), 4273856u);
    EXPECT_EQ(parse_schedstat_ns("0 0 0\n"), 0u);
    EXPECT_EQ(parse_schedstat_ns(""), std::nullopt);
    EXPECT_EQ(parse_schedstat_ns("x 1 2"), std::nullopt);
}

TEST(smaps_rollup, pss) {
    EXPECT_EQ(parse_pss_kib("00400000-7fff [rollup]\nRss:  1760 kB\nPss:   220 kB\n"
                            "Pss_Dirty: 112 kB\n"),
              220u);
    EXPECT_EQ(parse_pss_kib("00400000-7fff [rollup]\nRss:  1760 kB\n"), std::nullopt);
}

TEST(proc, kernel_memory_sums_slab_stacks_page_tables_and_tcp_buffer_pages) {
    const std::string meminfo =
        "MemTotal: 24000000 kB\nSlab:  158580 kB\nSReclaimable: 132832 kB\n"
        "KernelStack: 1588 kB\nPageTables: 3136 kB\n";
    const std::string sockstat =
        "sockets: used 12\nTCP: inuse 1 orphan 0 tw 0 alloc 1 mem 5\nUDP: inuse 0 mem 7\n";
    // SReclaimable is part of Slab and must not count twice; UDP's pages are not TCP's.
    EXPECT_EQ(parse_kernel_memory_kib(meminfo, sockstat, 4), 158580u + 1588u + 3136u + 5u * 4u);
    EXPECT_EQ(parse_kernel_memory_kib(meminfo, "", 4), 158580u + 1588u + 3136u);
    EXPECT_EQ(parse_kernel_memory_kib("MemTotal: 1 kB\n", sockstat, 4), std::nullopt);
    const auto now = kernel_memory_kib();
    ASSERT_TRUE(now) << "/proc/meminfo is readable here";
    EXPECT_GT(*now, 0u);
}

TEST(proc, this_process_reads_and_its_tree_includes_it) {
    const auto stat = read_proc_file(::getpid(), "stat");
    ASSERT_TRUE(stat);
    const auto s = parse_proc_stat(*stat);
    ASSERT_TRUE(s);
    EXPECT_GE(s->threads, 1u);
    const auto tree = process_tree(::getpid());
    ASSERT_FALSE(tree.empty());
    EXPECT_EQ(tree.front(), ::getpid());
}

TEST(value_at, interpolates_between_samples_and_clamps_outside) {
    const auto t0 = sample_clock::time_point(10s);
    std::vector<cost_sample> samples(3);
    samples[0].at = t0;
    samples[0].server_user_s = 1.0;
    samples[1].at = t0 + 100ms;
    samples[1].server_user_s = 2.0;
    samples[2].at = t0 + 300ms;
    samples[2].server_user_s = 2.0;
    const auto at = [&](auto t) { return value_at(samples, &cost_sample::server_user_s, t); };
    EXPECT_DOUBLE_EQ(at(t0 - 1s), 1.0);
    EXPECT_DOUBLE_EQ(at(t0), 1.0);
    EXPECT_DOUBLE_EQ(at(t0 + 25ms), 1.25);
    EXPECT_DOUBLE_EQ(at(t0 + 100ms), 2.0);
    EXPECT_DOUBLE_EQ(at(t0 + 200ms), 2.0);
    EXPECT_DOUBLE_EQ(at(t0 + 1s), 2.0);
    EXPECT_DOUBLE_EQ(value_at({}, &cost_sample::server_user_s, t0), 0.0);
}

TEST(cost_sampler, measures_this_processes_own_cpu) {
    const auto process_cpu_s = [] {
        timespec ts{};
        ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
    };
    cost_sampler sampler(0, 20ms);  // no server: only this process
    const auto begin = sample_clock::now();
    // Burn 200 ms of CPU (however long that takes on a busy machine, up to 10 s).
    const double start_cpu = process_cpu_s();
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    volatile std::uint64_t x = 0;
    while (process_cpu_s() - start_cpu < 0.2 && std::chrono::steady_clock::now() < give_up)
        x = x + 1;
    const auto end = sample_clock::now();
    sampler.finish();
    EXPECT_GE(sampler.samples().size(), 2u);
    const double cpu = sampler.self_window_cpu_s(begin, end);
    EXPECT_GT(cpu, 0.1);
    EXPECT_LT(cpu, 0.5);
    // Outside the window nothing was burnt.
    EXPECT_EQ(sampler.self_window_cpu_s(end + 1s, end + 2s), 0.0);
}

TEST(proc, threads_of_this_process) {
    std::thread other([] { std::this_thread::sleep_for(200ms); });
    const auto tids = process_threads(::getpid());
    other.join();
    EXPECT_GE(tids.size(), 2u);
    EXPECT_NE(std::find(tids.begin(), tids.end(), ::gettid()), tids.end());
}

TEST(cost_sampler, counts_the_context_switches_of_every_thread) {
    // This process stands in for the server: a second thread sleeps 100 times (100 voluntary
    // switches) while the main thread spins, so the count cannot come from the main thread.
    cost_sampler sampler(::getpid(), 20ms);
    const auto begin = sample_clock::now();
    std::atomic<bool> done{false}, stop{false};
    std::thread sleeper([&] {
        for (int i = 0; i < 100; ++i) std::this_thread::sleep_for(1ms);
        done = true;
        // Stay alive (spinning, not sleeping) until the sampler has seen the final count: a
        // thread's last moments before it exits are not sampled.
        while (!stop) {
        }
    });
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!done && std::chrono::steady_clock::now() < give_up) {
    }
    std::this_thread::sleep_for(60ms);
    const auto end = sample_clock::now();
    stop = true;
    sleeper.join();
    sampler.finish();
    const auto cost = sampler.server_window(begin, end);
    EXPECT_GE(cost.voluntary_switches, 100u);
    EXPECT_GT(cost.user_s + cost.sys_s, 0.0);  // the main thread spun meanwhile
    EXPECT_GE(cost.peak_threads, 3u);  // main, sleeper, sampler
    EXPECT_EQ(cost.peak_processes, 1u);
    EXPECT_GT(cost.peak_memory_kib, 0u);
}

// Burns `cpu_s` of this thread's CPU, then sleeps `sleeps` times 1 ms (voluntary switches).
void burn_and_sleep(double cpu_s, int sleeps) {
    const auto thread_cpu = [] {
        timespec ts{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
    };
    const double start = thread_cpu();
    volatile std::uint64_t x = 0;
    while (thread_cpu() - start < cpu_s) x = x + 1;
    for (int i = 0; i < sleeps; ++i) {
        const timespec ms{0, 1'000'000};
        ::nanosleep(&ms, nullptr);
    }
}

TEST(cost_sampler, cpu_and_switches_count_the_same_threads) {
    // A "server" whose child burns CPU, sleeps, and is reaped between two samples: its CPU must
    // not count while its switches cannot (/proc shows no reaped child's switches). Before, the
    // CPU came through the parent's cutime/cstime and the switches did not.
    int go[2], done[2];
    ASSERT_EQ(::pipe(go), 0);
    ASSERT_EQ(::pipe(done), 0);
    const pid_t server = ::fork();
    ASSERT_GE(server, 0);
    if (server == 0) {
        char byte = 0;
        if (::read(go[0], &byte, 1) != 1) ::_exit(1);
        const pid_t child = ::fork();
        if (child == 0) {
            burn_and_sleep(0.3, 50);
            ::_exit(0);
        }
        int status = 0;
        ::waitpid(child, &status, 0);
        if (::write(done[1], &byte, 1) != 1) ::_exit(1);
        ::pause();
        ::_exit(0);
    }
    {
        cost_sampler sampler(server, 60s);  // one sample now, one at finish()
        const auto begin = sample_clock::now();
        const char byte = 1;
        ASSERT_EQ(::write(go[1], &byte, 1), 1);
        char reply = 0;
        ASSERT_EQ(::read(done[0], &reply, 1), 1);
        sampler.finish();
        const auto end = sample_clock::now();
        const auto cost = sampler.server_window(begin, end);
        EXPECT_LT(cost.user_s + cost.sys_s, 0.1);
        EXPECT_LT(cost.voluntary_switches, 25u);
    }
    ::kill(server, SIGKILL);
    int status = 0;
    ::waitpid(server, &status, 0);
    for (int fd : {go[0], go[1], done[0], done[1]}) ::close(fd);
}

TEST(cost_sampler, counts_threads_that_each_used_less_than_a_clock_tick) {
    // A "server" of 16 threads that each burn 4 ms of CPU, then wait: 64 ms in all, but each
    // thread's /proc stat shows 0 clock ticks (a tick is 10 ms), as a fork or thread-per-client
    // server's clients do on a busy machine. Their CPU must still count.
    constexpr int threads = 16;
    constexpr double each_s = 0.004;
    int go[2], ready[2], stop[2];
    ASSERT_EQ(::pipe(go), 0);
    ASSERT_EQ(::pipe(ready), 0);
    ASSERT_EQ(::pipe(stop), 0);
    const pid_t server = ::fork();
    ASSERT_GE(server, 0);
    if (server == 0) {
        char byte = 0;
        if (::read(go[0], &byte, 1) != 1) ::_exit(1);  // after the sampler's first sample
        std::vector<std::thread> workers;
        for (int i = 0; i < threads; ++i)
            workers.emplace_back([&] {
                burn_and_sleep(each_s, 0);
                char byte = 1;
                if (::write(ready[1], &byte, 1) != 1) ::_exit(1);
                // Stay alive until the parent has sampled: a thread's last moments before it
                // exits are not sampled.
                if (::read(stop[0], &byte, 1) < 0) ::_exit(1);
            });
        for (auto& w : workers) w.join();
        ::_exit(0);
    }
    {
        cost_sampler sampler(server, 20ms);
        const auto begin = sample_clock::now();
        const char byte = 1;
        ASSERT_EQ(::write(go[1], &byte, 1), 1);
        for (int i = 0; i < threads; ++i) {
            char reply = 0;
            ASSERT_EQ(::read(ready[0], &reply, 1), 1);
        }
        std::this_thread::sleep_for(100ms);  // a few samples with every thread done
        const auto end = sample_clock::now();
        sampler.finish();
        const auto cost = sampler.server_window(begin, end);
        EXPECT_GE(cost.user_s + cost.sys_s, 0.5 * threads * each_s)
            << "user " << cost.user_s << " s, sys " << cost.sys_s << " s";
        EXPECT_LT(cost.user_s + cost.sys_s, 1.0);
    }
    ::kill(server, SIGKILL);
    int status = 0;
    ::waitpid(server, &status, 0);
    for (int fd : {go[0], go[1], ready[0], ready[1], stop[0], stop[1]}) ::close(fd);
}

}  // namespace
}  // namespace robotbench
