// The prefork backend's own promises: exactly --workers worker processes, each serving one
// client at a time while the next client waits its turn; a worker that dies holding a client is
// counted off and replaced; and a run (or sweep cell) that needs more clients than workers is
// refused (skipped) before it starts.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/client.hpp"
#include "support/command.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

std::string fenced(const std::string& payload) { return "====" + payload + "===="; }

// The server's worker processes that are running (not zombies).
std::vector<pid_t> running_workers(pid_t server) {
    auto workers = child_pids(server);
    std::erase_if(workers, [](pid_t p) { return !process_running(p); });
    std::sort(workers.begin(), workers.end());
    return workers;
}

// Waits up to 5 s for the server to have `n` running workers; returns the last ones seen.
std::vector<pid_t> pool_of(pid_t server, std::size_t n) {
    auto workers = running_workers(server);
    for (int i = 0; i < 250 && workers.size() != n; ++i) {
        std::this_thread::sleep_for(20ms);
        workers = running_workers(server);
    }
    return workers;
}

std::uint16_t local_port_of(int fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
    return ntohs(addr.sin_port);
}

// The socket inode of the server's end of `c`'s connection, from /proc/net/tcp, or "".
std::string server_side_inode(const client& c, std::uint16_t server_port) {
    const auto client_port = local_port_of(c.fd());
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // the header
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
        fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
            timeout >> inode;
        const auto port = [](const std::string& address) {
            return static_cast<std::uint16_t>(
                std::stoul(address.substr(address.find(':') + 1), nullptr, 16));
        };
        if (port(local) == server_port && port(remote) == client_port) return inode;
    }
    return {};
}

// The worker whose descriptors include the server's end of `c`'s connection, or 0.
pid_t worker_serving(pid_t server, std::uint16_t port, const client& c) {
    const auto inode = server_side_inode(c, port);
    if (inode.empty()) return 0;
    const std::string target = "socket:[" + inode + "]";
    for (const pid_t worker : running_workers(server)) {
        std::error_code ec;
        const auto fds = "/proc/" + std::to_string(worker) + "/fd";
        for (const auto& fd : std::filesystem::directory_iterator(fds, ec)) {
            std::error_code link_ec;
            if (std::filesystem::read_symlink(fd.path(), link_ec).string() == target) return worker;
        }
    }
    return 0;
}

TEST(prefork_backend, starts_exactly_the_workers_asked_for) {
    server_process server("prefork", {"--workers=5"});
    ASSERT_NE(server.port(), 0);
    EXPECT_EQ(pool_of(server.pid(), 5).size(), 5u);
    client c(server.port());
    EXPECT_EQ(c.ask("hello"), fenced("hello"));
    EXPECT_EQ(running_workers(server.pid()).size(), 5u) << "a client takes a worker, not a fork";
    EXPECT_EQ(server.terminate(), 0);
}

TEST(prefork_backend, three_workers_serve_three_clients_while_the_fourth_waits_its_turn) {
    server_process server("prefork", {"--workers=3"});
    const auto port = server.port();
    ASSERT_NE(port, 0);
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<client>(port));
        EXPECT_EQ(clients.back()->ask("in " + std::to_string(i)),
                  fenced("in " + std::to_string(i)));
    }
    client fourth(port);
    ASSERT_TRUE(fourth.connected()) << "the listen queue takes the fourth client";
    ASSERT_TRUE(fourth.send("my turn?\n"));
    EXPECT_EQ(fourth.read_line(500ms), std::nullopt) << "every worker is busy: no answer yet";
    EXPECT_EQ(clients[2]->ask("/online"), "online 3");
    clients[0]->close();
    EXPECT_EQ(fourth.read_line(5s), fenced("my turn?")) << "served once a worker is free";
    EXPECT_EQ(fourth.ask("/online"), "online 3");
    EXPECT_EQ(clients[1]->ask("still here"), fenced("still here"));
}

TEST(prefork_backend, a_killed_worker_is_counted_off_and_replaced) {
    server_process server("prefork", {"--workers=3"});
    const auto port = server.port();
    ASSERT_NE(port, 0);
    const auto before = pool_of(server.pid(), 3);
    ASSERT_EQ(before.size(), 3u);
    client stays(port), doomed(port);
    EXPECT_EQ(stays.ask("a"), fenced("a"));
    EXPECT_EQ(doomed.ask("b"), fenced("b"));
    EXPECT_EQ(stays.ask("/online"), "online 2");

    const pid_t holder = worker_serving(server.pid(), port, doomed);
    ASSERT_NE(holder, 0) << "no worker holds the client's connection";
    ASSERT_NE(holder, worker_serving(server.pid(), port, stays));
    ASSERT_EQ(::kill(holder, SIGKILL), 0);

    std::string rest;
    EXPECT_TRUE(doomed.read_to_eof(rest)) << "the client of a dead worker is disconnected";
    EXPECT_EQ(online_eventually(port, 2), 2) << "the dead worker's client is counted off";
    const auto after = pool_of(server.pid(), 3);
    EXPECT_EQ(after.size(), 3u) << "the pool is back to 3 workers";
    EXPECT_EQ(std::count(after.begin(), after.end(), holder), 0)
        << "the dead one is not among them";
    EXPECT_EQ(stays.ask("still served"), fenced("still served"));
    EXPECT_EQ(server.terminate(), 0);
    for (const pid_t worker : after) EXPECT_FALSE(process_running(worker)) << worker << " left";
}

TEST(prefork_backend, a_worker_killed_while_waiting_at_accept_does_not_stall_the_others) {
    server_process server("prefork", {"--workers=2"});
    const auto port = server.port();
    ASSERT_NE(port, 0);
    ASSERT_EQ(pool_of(server.pid(), 2).size(), 2u);
    // Kill both idle workers, one of which holds the accept lock: the replacements take over.
    for (const pid_t worker : running_workers(server.pid())) ::kill(worker, SIGKILL);
    EXPECT_EQ(online_eventually(port, 1), 1);
    client a(port), b(port);
    EXPECT_EQ(a.ask("a"), fenced("a"));
    EXPECT_EQ(b.ask("b"), fenced("b"));
    EXPECT_EQ(b.ask("/online"), "online 2");
}

TEST(prefork_backend, a_run_with_more_connections_than_workers_is_refused) {
    const auto csv = std::filesystem::temp_directory_path() /
                     ("robotbench-prefork-refused-" + std::to_string(::getpid()) + ".csv");
    const auto refused = run_robotbench(
        {"run", "-b", "prefork", "-c", "200", "-d", "500ms", "--csv=" + csv.string()});
    EXPECT_EQ(refused.status, 2) << refused.output;
    ASSERT_EQ(refused.lines.size(), 1u) << refused.output;
    EXPECT_NE(refused.lines[0].find("128"), std::string::npos) << refused.lines[0];
    EXPECT_NE(refused.lines[0].find("--server-workers"), std::string::npos) << refused.lines[0];

    const auto fewer = run_robotbench({"run", "-b", "prefork", "-c", "6", "--server-workers=5",
                                       "-d", "500ms", "--csv=" + csv.string()});
    EXPECT_EQ(fewer.status, 2) << "5 workers cannot hold 6 connections: " << fewer.output;
    EXPECT_NE(fewer.output.find("at most 5 clients"), std::string::npos) << fewer.output;
    EXPECT_FALSE(std::filesystem::exists(csv)) << "a refused run writes nothing";
}

TEST(prefork_backend, a_sweep_skips_the_cells_with_more_connections_than_workers) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("robotbench-prefork-sweep-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto result = run_robotbench({"sweep", "--backends=prefork", "--connections=2,4",
                                        "--server-workers=3", "--duration=200ms", "--warmup=0",
                                        "--repeat=1", "--no-presence", "--csv",
                                        (dir / "sweep.csv").string()});
    EXPECT_EQ(result.status, 0) << result.output;
    const auto rows = read_csv(dir / "sweep.csv");
    ASSERT_EQ(rows.size(), 2u) << result.output;
    for (const auto& row : rows) {
        if (row.at("connections") == "4") {
            EXPECT_EQ(row.at("status"), "skipped");
            EXPECT_NE(row.at("note").find("--server-workers"), std::string::npos) << row.at("note");
        } else {
            EXPECT_EQ(row.at("status"), "ok") << row.at("note");
            EXPECT_GT(number(row, "throughput_rps"), 0);
            EXPECT_EQ(number(row, "errors"), 0);
        }
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace robotbench::test
