// Running out, for every backend: descriptors (a hard limit of 64, and every limit too low for
// one client), and accept(2) failing with EMFILE, ENFILE, ENOMEM and ENOBUFS. The server must
// refuse what it cannot serve, say why, serve on, and never spin (docs/models.md, "Limits").
// Each test starts `robotbench serve` under prlimit or the seccomp accept-failer. Run one
// backend with --gtest_filter='*/fork'.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/backends.hpp"
#include "support/client.hpp"
#include "support/limited_server.hpp"
#include "support/server.hpp"

namespace robotbench::test {
namespace {

using namespace std::string_literals;
using namespace std::chrono_literals;

// A reply line as client::ask and read_line return it, without the LF.
std::string fenced(std::string_view payload) {
    return "===="s.append(payload) + "====";
}

class limits_test : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (const auto why = backend_unavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    }
};

TEST_P(limits_test, running_out_of_descriptors_refuses_clients_and_serves_on) {
    // The server may raise its soft limit to the hard one; a hard limit of 64 lets it hold only
    // a few dozen clients. Each extra client must be told (`!ERR server full`) or refused (EOF or
    // reset) at once, never left hanging, and the server must serve on.
    const std::string prlimit = "/usr/bin/prlimit";
    if (::access(prlimit.c_str(), X_OK) != 0) GTEST_SKIP() << "needs " << prlimit;
    server_process limited({prlimit, "--nofile=64:64", robotbench_exe(), "serve",
                            "--backend=" + GetParam(), "--port=0", "--quiet"});
    const auto port = limited.port();
    ASSERT_NE(port, 0);
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < 100; ++i) {
        clients.push_back(std::make_unique<client>(port));
        clients.back()->send("hi " + std::to_string(i) + "\n");  // may fail once refused
    }
    int served = 0, refused = 0, hanging = 0;
    std::vector<std::unique_ptr<client>> kept;
    const auto deadline = std::chrono::steady_clock::now() + 10s;  // shared: fail fast
    const auto left = [&] {
        return std::max(1ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                 deadline - std::chrono::steady_clock::now()));
    };
    for (int i = 0; i < 100; ++i) {
        auto& c = clients[i];
        const auto line = c->read_line(left());
        if (line == fenced("hi " + std::to_string(i))) {
            ++served;
            kept.push_back(std::move(c));
            continue;
        }
        std::string rest;
        if ((!line || line == "!ERR server full") && c->read_to_eof(rest, left()) && rest.empty())
            ++refused;
        else
            ++hanging;
    }
    EXPECT_EQ(hanging, 0) << served << " served, " << refused << " refused";
    EXPECT_GT(served, 0);
    for (auto& c : kept) EXPECT_EQ(c->ask("again"), fenced("again")) << "served clients live on";
    kept.clear();
    EXPECT_EQ(online_eventually(port, 1), 1) << "the server serves on after the shortage";
}

// Flags that keep a start quick where a test starts many servers: a prefork pool of 2.
std::vector<std::string> small_start(const std::string& backend) {
    if (backend == "prefork") return {"--workers=2", "--quiet"};
    return {"--quiet"};
}

// Waits up to 10 s until a prefork server has its pool of 2; nothing to wait for otherwise.
void await_small_pool(const std::string& backend, pid_t pid) {
    if (backend != "prefork") return;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (descendant_pids(pid).size() < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
}

// A server tree's CPU time and its threads' runnable times at one moment.
struct tree_sample {
    double cpu_s;
    std::map<pid_t, double> runnable_s;
};

tree_sample sample_tree(pid_t pid) { return {tree_cpu_seconds(pid), tree_runnable_seconds(pid)}; }

// Fails the test when the tree spun between two samples about 2 s apart. A spinning thread burns
// about 2 s of CPU on an idle machine, and is runnable (on a CPU or waiting for one) all 2 s
// however busy the machine is; a thread that sleeps is runnable only for its few wake-ups.
void expect_no_spin(const tree_sample& before, const tree_sample& after, const std::string& what) {
    const double cpu = after.cpu_s - before.cpu_s;
    EXPECT_LT(cpu, 0.3) << what << ": the server used " << cpu << " s of CPU in 2 s: it spins";
    if (const auto runnable = most_runnable_thread(before.runnable_s, after.runnable_s)) {
        EXPECT_LT(*runnable, 1.0) << what << ": a thread of the server was runnable "
                                  << *runnable << " s of 2 s: it spins";
    }
}

std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text;
}

TEST_P(limits_test, a_descriptor_limit_too_low_for_one_client_refuses_to_start_and_the_lowest_one_never_spins) {
    // The limit is set for the server alone, soft and hard, so it cannot raise it. Every limit
    // below the lowest one at which the server starts, from the lowest one at which the dynamic
    // loader can open the libraries, must be refused with exit status 1 and one line on stderr
    // naming the limit, before `listening on`.
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "the sanitizer runtimes need descriptors of their own (UndefinedBehavior"
                    "Sanitizer's vptr check opens a pipe, and reports a false error without one)";
#endif
    const std::string prlimit = prlimit_exe();
    if (prlimit.empty()) GTEST_SKIP() << "needs prlimit";
    std::unique_ptr<limited_server> server;
    bool refused_once = false;
    unsigned limit = 4;
    for (; limit <= 40; ++limit) {
        const auto nofile = "--nofile=" + std::to_string(limit) + ":" + std::to_string(limit);
        auto attempt = std::make_unique<limited_server>(std::vector<std::string>{prlimit, nofile},
                                                        GetParam(), small_start(GetParam()));
        if (attempt->port() != 0) {
            server = std::move(attempt);
            break;
        }
        const auto status = attempt->exit_status();
        const auto errors = attempt->stderr_lines();
        // Below the few descriptors the dynamic loader needs beside those the server inherits,
        // robotbench never runs at all: those limits say nothing about the server.
        if (!refused_once && status == 127 && errors.size() == 1 &&
            errors[0].find("error while loading shared libraries") != std::string::npos)
            continue;
        refused_once = true;
        EXPECT_EQ(status, 1) << "limit " << limit << ": " << joined(errors);
        EXPECT_EQ(joined(attempt->stdout_lines()), "") << "limit " << limit;
        ASSERT_EQ(errors.size(), 1u) << "limit " << limit << ": " << joined(errors);
        EXPECT_NE(errors[0].find("RLIMIT_NOFILE " + std::to_string(limit)), std::string::npos)
            << errors[0];
    }
    ASSERT_TRUE(server) << "the server did not start with a descriptor limit of up to 40";
    const auto port = server->port();
    await_small_pool(GetParam(), server->pid());

    // At the lowest limit it serves one client at least; more clients than it can take are
    // each told `!ERR server full` and closed, or (prefork, whose pool is busy) wait in the
    // listen queue; none is left half-served.
    constexpr int wanted = 8;
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < wanted; ++i) {
        clients.push_back(std::make_unique<client>(port));
        clients.back()->send("hi " + std::to_string(i) + "\n");  // may fail once refused
    }
    int served = 0, refused = 0, waiting = 0, wrong = 0;
    const auto deadline = std::chrono::steady_clock::now() + 3s;  // shared: fail fast
    const auto left = [&] {
        return std::max(1ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                 deadline - std::chrono::steady_clock::now()));
    };
    for (int i = 0; i < wanted; ++i) {
        const auto line = clients[i]->read_line(left());
        std::string rest;
        if (line == fenced("hi " + std::to_string(i)))
            ++served;
        else if (line && *line != "!ERR server full")
            ++wrong;
        else if (clients[i]->read_to_eof(rest, line ? left() : 1ms) && rest.empty())
            ++refused;
        else
            ++waiting;
    }
    const std::string tally = "limit " + std::to_string(limit) + ": " + std::to_string(served) +
                              " served, " + std::to_string(refused) + " refused, " +
                              std::to_string(waiting) + " waiting, " + std::to_string(wrong) +
                              " wrong";
    EXPECT_GE(served, 1) << tally;
    EXPECT_EQ(wrong, 0) << tally;
    if (GetParam() != "prefork") {
        EXPECT_EQ(waiting, 0) << tally;
    }

    // With them all still connected the server sleeps.
    const auto before = sample_tree(server->pid());
    std::this_thread::sleep_for(2s);
    expect_no_spin(before, sample_tree(server->pid()), tally);

    // Once they have left, a new client is served.
    clients.clear();
    std::optional<std::string> reply;
    for (int attempt = 0; attempt < 100 && reply != fenced("after"); ++attempt) {
        client after(port);
        reply = after.ask("after", 1s);
        if (reply != fenced("after")) std::this_thread::sleep_for(30ms);
    }
    EXPECT_EQ(reply, fenced("after")) << tally;
    server->process().signal(SIGTERM);
    EXPECT_EQ(server->exit_status(), 0);
    EXPECT_EQ(server->stderr_lines(), std::vector<std::string>{});
}

TEST_P(limits_test, accept_failing_with_emfile_enfile_enomem_or_enobufs_never_makes_it_spin) {
    // Every accept fails, so the clients stay in the listen queue and the listener stays
    // readable: a server that only tried again would spin. One server per error, measured over
    // the same 2 s.
    const std::vector<std::string> errors{"EMFILE", "ENFILE", "ENOMEM", "ENOBUFS"};
    std::vector<std::unique_ptr<limited_server>> servers;
    for (const auto& error : errors) {
        servers.push_back(std::make_unique<limited_server>(
            std::vector<std::string>{ROBOTBENCH_FAIL_ACCEPT_EXE, error}, GetParam(),
            small_start(GetParam())));
        ASSERT_NE(servers.back()->port(), 0)
            << error << ": " << joined(servers.back()->stderr_lines());
        await_small_pool(GetParam(), servers.back()->pid());
    }
    std::vector<std::unique_ptr<client>> clients;
    for (const auto& server : servers) {
        for (int i = 0; i < 3; ++i) {
            clients.push_back(std::make_unique<client>(server->port()));
            EXPECT_TRUE(clients.back()->send("hi\n"));
        }
    }
    std::this_thread::sleep_for(200ms);  // every server has met the failing accepts by now
    std::vector<tree_sample> before;
    for (const auto& server : servers) before.push_back(sample_tree(server->pid()));
    std::this_thread::sleep_for(2s);
    for (std::size_t i = 0; i < servers.size(); ++i)
        expect_no_spin(before[i], sample_tree(servers[i]->pid()),
                       "accept failing with " + errors[i]);
    for (std::size_t i = 0; i < servers.size(); ++i) {
        servers[i]->process().signal(SIGTERM);
        EXPECT_EQ(servers[i]->exit_status(), 0) << errors[i];
    }
}

INSTANTIATE_TEST_SUITE_P(backends, limits_test, ::testing::ValuesIn(every_backend()),
                         backend_param_name);

}  // namespace
}  // namespace robotbench::test
