// The thread-per-client backend's own promises: one thread per connected client, gone again
// when the client leaves, and finished threads joined as they end, so churn does not pile up
// dead thread stacks; and a client that cannot have a thread is refused while the others are
// served on.

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

std::string fenced(const std::string& payload) { return "====" + payload + "===="; }

// Waits up to 5 s for `pid` to have `n` threads; returns the last count seen.
std::size_t threads_eventually(pid_t pid, std::size_t n) {
    auto seen = thread_count(pid);
    for (int i = 0; i < 250 && seen != n; ++i) {
        std::this_thread::sleep_for(20ms);
        seen = thread_count(pid);
    }
    return seen;
}

// The server's own threads (acceptor, supervisor...), with no client connected: counted while
// one client is served (the serve loop and everything started before it run by then), less
// that client's thread.
std::size_t own_threads(std::uint16_t port, pid_t pid) {
    client probe(port);
    EXPECT_EQ(probe.ask("probe"), fenced("probe"));
    const auto with_probe = thread_count(pid);
    return with_probe > 0 ? with_probe - 1 : 0;
}

// Connects `n` clients and has each answer, so each has its thread by then.
std::vector<std::unique_ptr<client>> connect_served(std::uint16_t port, int n) {
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < n; ++i) {
        auto c = std::make_unique<client>(port);
        EXPECT_EQ(c->ask("robot " + std::to_string(i)), fenced("robot " + std::to_string(i)));
        clients.push_back(std::move(c));
    }
    return clients;
}

TEST(thread_per_client, a_thread_per_client_that_ends_when_the_client_leaves) {
    server_process server("thread-per-client");
    ASSERT_NE(server.port(), 0);
    const auto pid = server.pid();
    const auto baseline = own_threads(server.port(), pid);
    ASSERT_GT(baseline, 0u);
    ASSERT_EQ(threads_eventually(pid, baseline), baseline) << "the probe's thread ended";

    auto clients = connect_served(server.port(), 50);
    EXPECT_EQ(thread_count(pid), baseline + 50) << "one thread per connected client";
    clients.resize(20);  // 30 leave
    EXPECT_EQ(threads_eventually(pid, baseline + 20), baseline + 20);
    EXPECT_EQ(clients[0]->ask("/online"), "online 20");
    clients.clear();
    EXPECT_EQ(threads_eventually(pid, baseline), baseline) << "every client thread has ended";
    EXPECT_EQ(server.terminate(), 0);
}

TEST(thread_per_client, churn_reuses_thread_stacks_instead_of_piling_them_up) {
#if defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "ThreadSanitizer maps memory of its own for every thread started";
#endif
    server_process server("thread-per-client");
    ASSERT_NE(server.port(), 0);
    const auto pid = server.pid();
    const auto baseline = own_threads(server.port(), pid);
    constexpr int per_round = 200;
    std::size_t first_round_kib = 0;
    for (int round = 0; round < 6; ++round) {
        auto clients = connect_served(server.port(), per_round);
        clients.clear();
        ASSERT_EQ(threads_eventually(pid, baseline), baseline) << "round " << round;
        if (round == 0) first_round_kib = status_field(pid, "VmSize:");
    }
    // A thread that ended but was never joined keeps its stack mapped (128 KiB and more each):
    // five more rounds of 200 would map 125 MiB more. Joined ones are reused.
    const auto growth_kib = static_cast<long long>(status_field(pid, "VmSize:")) -
                            static_cast<long long>(first_round_kib);
    EXPECT_LT(growth_kib, per_round * 128 / 2) << "address space grew by " << growth_kib << " KiB";
    client c(server.port());
    EXPECT_EQ(c.ask("/online"), "online 1");
    EXPECT_EQ(server.terminate(), 0);
}

TEST(thread_per_client, a_client_that_cannot_get_a_thread_is_refused_and_the_others_served) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "a sanitizer's shadow memory does not fit an address space limit";
#endif
    const std::string prlimit = "/usr/bin/prlimit";
    if (::access(prlimit.c_str(), X_OK) != 0) GTEST_SKIP() << "needs " << prlimit;
    // The address space a server takes with one client served; a limit a few MiB above it
    // leaves room for a few dozen thread stacks, after which pthread_create fails (EAGAIN). One
    // malloc arena, so that no thread reserves a 64 MiB arena of its own in one server and not
    // in the other.
    const auto argv = [&](const std::string& limit) {
        std::vector<std::string> args{"/usr/bin/env", "MALLOC_ARENA_MAX=1"};
        if (!limit.empty()) {
            args.push_back(prlimit);
            args.push_back("--as=" + limit);
        }
        args.push_back(robotbench_exe());
        for (const char* a : {"serve", "--backend=thread-per-client", "--port=0", "--quiet"})
            args.emplace_back(a);
        return args;
    };
    std::size_t base_kib = 0;
    {
        server_process probe(argv(""));
        ASSERT_NE(probe.port(), 0);
        client c(probe.port());
        ASSERT_EQ(c.ask("probe"), fenced("probe"));
        base_kib = status_field(probe.pid(), "VmSize:");
    }
    ASSERT_GT(base_kib, 0u);
    server_process limited(argv(std::to_string((base_kib + 8 * 1024) * 1024)));
    const auto port = limited.port();
    ASSERT_NE(port, 0);

    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < 300; ++i) {
        clients.push_back(std::make_unique<client>(port));
        clients.back()->send("hi " + std::to_string(i) + "\n");  // may fail once refused
    }
    int served = 0, refused = 0, hanging = 0;
    // Served clients with what they asked: asked again, a line no longer than the first needs
    // no more memory (a session that must grow when none is left costs its client, by design).
    std::vector<std::pair<std::unique_ptr<client>, std::string>> kept;
    for (int i = 0; i < 300; ++i) {
        auto& c = clients[i];
        const auto line = c->read_line(5s);
        if (line == fenced("hi " + std::to_string(i))) {
            ++served;
            kept.emplace_back(std::move(c), "hi " + std::to_string(i));
            continue;
        }
        std::string rest;
        if (line == "!ERR server full" && c->read_to_eof(rest) && rest.empty())
            ++refused;
        else
            ++hanging;
    }
    EXPECT_EQ(hanging, 0) << served << " served, " << refused << " refused";
    EXPECT_GT(served, 0);
    EXPECT_GT(refused, 0) << "300 threads do not fit in 8 MiB of address space";
    for (auto& [c, line] : kept) EXPECT_EQ(c->ask(line), fenced(line)) << "served clients live on";
    kept.clear();
    EXPECT_EQ(online_eventually(port, 1), 1) << "threads are had again once clients leave";
    EXPECT_EQ(limited.terminate(), 0);
}

}  // namespace
}  // namespace robotbench::test
