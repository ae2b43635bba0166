// The thread-per-client backend's own promises: one thread per connected client, gone again
// when the client leaves, and finished threads joined as they end, so churn does not pile up
// dead thread stacks.

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

std::string fenced(const std::string& payload) { return "====" + payload + "===="; }

// A number field of /proc/PID/status ("Threads:", "VmSize:" in KiB), or 0.
std::size_t status_field(pid_t pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (status >> key) {
        if (key == field) {
            std::size_t value = 0;
            status >> value;
            return value;
        }
        status.ignore(1 << 20, '\n');
    }
    return 0;
}

std::size_t threads_of(pid_t pid) { return status_field(pid, "Threads:"); }

// Waits up to 5 s for `pid` to have `n` threads; returns the last count seen.
std::size_t threads_eventually(pid_t pid, std::size_t n) {
    auto seen = threads_of(pid);
    for (int i = 0; i < 250 && seen != n; ++i) {
        std::this_thread::sleep_for(20ms);
        seen = threads_of(pid);
    }
    return seen;
}

// The server's own threads (acceptor, supervisor...), with no client connected: counted while
// one client is served (the serve loop and everything started before it run by then), less
// that client's thread.
std::size_t own_threads(std::uint16_t port, pid_t pid) {
    client probe(port);
    EXPECT_EQ(probe.ask("probe"), fenced("probe"));
    const auto with_probe = threads_of(pid);
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
    EXPECT_EQ(threads_of(pid), baseline + 50) << "one thread per connected client";
    clients.resize(20);  // 30 leave
    EXPECT_EQ(threads_eventually(pid, baseline + 20), baseline + 20);
    EXPECT_EQ(clients[0]->ask("/online"), "online 20");
    clients.clear();
    EXPECT_EQ(threads_eventually(pid, baseline), baseline) << "every client thread has ended";
    EXPECT_EQ(server.terminate(), 0);
}

TEST(thread_per_client, churn_reuses_thread_stacks_instead_of_piling_them_up) {
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

}  // namespace
}  // namespace robotbench::test
