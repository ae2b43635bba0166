// The default cap of the process- and thread-per-client models, computed from given limits: the
// smallest limit sets it, each task limit keeps its reserve, the reason names the limit, and a
// machine with no room for one client cannot start the server.

#include <gtest/gtest.h>

#include <string>

#include "backends/client_cap.hpp"

namespace robotbench {
namespace {

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// A roomy machine: 24 GiB available, 100,000 user tasks allowed, pid_max 4M.
machine_limits roomy() {
    machine_limits m;
    m.nproc = 100'000;
    m.user_tasks = 200;
    m.pid_max = 4'194'304;
    m.threads_max = 190'000;
    m.system_tasks = 300;
    m.max_map_count = 1'000'000;
    m.maps_in_use = 100;
    m.mem_available_kib = 24ull << 20;
    return m;
}

TEST(client_cap, memory_sets_the_process_cap_on_a_roomy_machine) {
    const auto cap = client_cap(roomy(), process_per_client);
    EXPECT_EQ(cap.clients, (24u << 20) / 512);  // 49,152 processes of 512 KiB
    EXPECT_TRUE(cap.default_max_conns);
    EXPECT_TRUE(cap.cannot_start.empty());
    EXPECT_TRUE(has(cap.reason, "MemAvailable 24.0 GiB")) << cap.reason;
    EXPECT_TRUE(has(cap.reason, "512 KiB per client process")) << cap.reason;
}

TEST(client_cap, rlimit_nproc_less_the_users_tasks_and_the_reserve) {
    auto m = roomy();
    m.nproc = 1000;
    const auto cap = client_cap(m, thread_per_client);
    EXPECT_EQ(cap.clients, 1000u - 200u - reserved_tasks);
    EXPECT_TRUE(has(cap.reason, "RLIMIT_NPROC 1000")) << cap.reason;
    EXPECT_TRUE(has(cap.reason, "200 tasks of this user")) << cap.reason;
}

TEST(client_cap, pid_max_and_threads_max_count_every_task_of_the_system) {
    auto m = roomy();
    m.pid_max = 32'768;
    m.system_tasks = 768;
    auto cap = client_cap(m, process_per_client);
    EXPECT_EQ(cap.clients, 32'768u - 768u - reserved_tasks);
    EXPECT_TRUE(has(cap.reason, "kernel.pid_max 32768")) << cap.reason;

    m = roomy();
    m.threads_max = 5000;
    m.system_tasks = 1000;
    cap = client_cap(m, thread_per_client);
    EXPECT_EQ(cap.clients, 5000u - 1000u - reserved_tasks);
    EXPECT_TRUE(has(cap.reason, "kernel.threads-max 5000")) << cap.reason;
}

TEST(client_cap, max_map_count_bounds_threads_but_not_processes) {
    auto m = roomy();
    m.max_map_count = 65'530;
    m.maps_in_use = 506;
    const auto threads = client_cap(m, thread_per_client);
    EXPECT_EQ(threads.clients, (65'530u - 506u - reserved_mappings) / 2);
    EXPECT_TRUE(has(threads.reason, "vm.max_map_count 65530")) << threads.reason;
    // A forked child's mappings are its own: the parent's count does not grow.
    EXPECT_FALSE(has(client_cap(m, process_per_client).reason, "max_map_count"));
}

TEST(client_cap, limits_that_could_not_be_read_bound_nothing) {
    EXPECT_EQ(client_cap(machine_limits{}, process_per_client).clients, 0u);
    EXPECT_TRUE(client_cap(machine_limits{}, process_per_client).reason.empty());
    EXPECT_TRUE(client_cap(machine_limits{}, process_per_client).cannot_start.empty());
    machine_limits only_memory;
    only_memory.mem_available_kib = 1024 * 128;
    EXPECT_EQ(client_cap(only_memory, thread_per_client).clients, 1024u);
}

TEST(client_cap, no_room_for_one_client_means_it_cannot_start) {
    auto m = roomy();
    m.nproc = 250;  // 200 running + 64 kept free: nothing left
    const auto cap = client_cap(m, process_per_client);
    EXPECT_EQ(cap.clients, 0u);
    EXPECT_TRUE(has(cap.cannot_start, "no room for a single client process")) << cap.cannot_start;
    EXPECT_TRUE(has(cap.cannot_start, "RLIMIT_NPROC 250")) << cap.cannot_start;
}

TEST(client_cap, max_conns_overrides_the_machine) {
    server_options options;
    options.max_conns = 123'456;
    const auto cap = per_client_capacity(options, process_per_client);
    EXPECT_EQ(cap.clients, 123'456u);
    EXPECT_EQ(cap.reason, "--max-conns");
    EXPECT_FALSE(cap.default_max_conns);
}

TEST(client_cap, this_machine_has_room_for_some_clients) {
    const auto cap = client_cap(read_machine_limits(), thread_per_client);
    EXPECT_GT(cap.clients, 0u) << cap.cannot_start;
    EXPECT_FALSE(cap.reason.empty());
}

}  // namespace
}  // namespace robotbench
