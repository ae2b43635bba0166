// The io_uring backend's own paths: what `robotbench list` and `serve` say when the kernel
// refuses io_uring (a seccomp filter makes io_uring_setup fail with EPERM, as a container policy
// would), more clients with input at once than there are shared receive buffers, and the memory
// an idle connection costs. What it does out of descriptors is tested for every backend in
// test_protocol.cpp.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
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

// Runs `robotbench ARGS...` with io_uring_setup(2) failing with EPERM (a seccomp filter, as in a
// container whose policy forbids io_uring); stdout and stderr together. Waits at most 30 s.
outcome run_robotbench_without_io_uring(const std::vector<std::string>& args) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return {};
    std::vector<std::string> argv{robotbench_exe()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> pointers;
    for (auto& a : argv) pointers.push_back(a.data());
    pointers.push_back(nullptr);
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
    const pid_t pid = ::fork();
    if (pid == 0) {  // only async-signal-safe calls until exec
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(out[1], STDERR_FILENO);
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
            ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0)
            ::execv(pointers[0], pointers.data());
        ::_exit(127);
    }
    ::close(out[1]);
    outcome result;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    char chunk[4096];
    for (;;) {
        pollfd p{out[0], POLLIN, 0};
        if (::poll(&p, 1, 100) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid, SIGKILL);
                ADD_FAILURE() << "robotbench did not finish within 30 s";
            }
            continue;
        }
        const auto n = ::read(out[0], chunk, sizeof chunk);
        if (n <= 0) break;
        result.output.append(chunk, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::istringstream lines(result.output);
    for (std::string line; std::getline(lines, line);) result.lines.push_back(line);
    return result;
}

// The `robotbench list` line of a backend, or empty.
std::string list_line(const outcome& listed, const std::string& name) {
    for (const auto& line : listed.lines)
        if (line.starts_with(name + " ")) return line;
    return {};
}

TEST(io_uring, list_says_whether_the_kernel_allows_it_and_why_not) {
    const auto listed = run_robotbench({"list"});
    ASSERT_EQ(listed.status, 0) << listed.output;
    const auto line = list_line(listed, "io_uring");
    ASSERT_FALSE(line.empty()) << listed.output;
    const auto why = backend_unavailable("io_uring");
    if (why.empty()) {
        EXPECT_EQ(line.find("not available"), std::string::npos) << line;
    } else {
        EXPECT_NE(line.find("[not available: " + why + "]"), std::string::npos) << line;
    }
    std::ifstream sysctl("/proc/sys/kernel/io_uring_disabled");
    int disabled = 0;
    if (sysctl >> disabled && disabled == 2) {
        EXPECT_NE(line.find("kernel.io_uring_disabled is 2"), std::string::npos) << line;
    }
}

TEST(io_uring, a_kernel_that_refuses_io_uring_is_named_by_list_and_serve) {
    const auto listed = run_robotbench_without_io_uring({"list"});
    ASSERT_EQ(listed.status, 0) << listed.output;
    const auto line = list_line(listed, "io_uring");
    EXPECT_NE(line.find("[not available: "), std::string::npos) << listed.output;
    EXPECT_NE(line.find("io_uring_setup: Operation not permitted"), std::string::npos) << line;
    EXPECT_NE(line.find("seccomp"), std::string::npos) << line;
    for (const char* other : {"select ", "fork "})
        EXPECT_EQ(list_line(listed, other).find("not available"), std::string::npos) << other;

    const auto served = run_robotbench_without_io_uring({"serve", "--backend=io_uring"});
    EXPECT_EQ(served.status, 2) << served.output;
    ASSERT_EQ(served.lines.size(), 1u) << served.output;
    EXPECT_NE(served.lines[0].find("backend 'io_uring' is not available: io_uring_setup"),
              std::string::npos)
        << served.lines[0];
}

TEST(io_uring, more_clients_with_input_than_shared_buffers_are_all_answered) {
    if (const auto why = backend_unavailable("io_uring"); !why.empty()) GTEST_SKIP() << why;
    raise_fd_limit();
    server_process server("io_uring");
    ASSERT_NE(server.port(), 0);
    // 600 clients' requests, 16 KiB each, all wait while the server is stopped: more sockets
    // with input than the 256 shared buffers. Whether a receive then finds the ring dry
    // (ENOBUFS, re-armed once buffers are back) depends on how the kernel batches the
    // receives; either way every client must be answered in full.
    constexpr int n = 600;
    std::vector<std::unique_ptr<client>> clients;
    for (int i = 0; i < n; ++i) {
        clients.push_back(std::make_unique<client>(server.port()));
        ASSERT_EQ(clients.back()->ask("hello " + std::to_string(i)),
                  "====hello " + std::to_string(i) + "====");
    }
    server.process().signal(SIGSTOP);
    const auto line = [](int i, int j) {
        return std::to_string(i) + ":" + std::string(4000, static_cast<char>('a' + j));
    };
    for (int i = 0; i < n; ++i) {
        std::string requests;
        for (int j = 0; j < 4; ++j) requests += line(i, j) + "\n";
        ASSERT_TRUE(clients[i]->send(requests));
    }
    server.process().signal(SIGCONT);
    int answered = 0;
    for (int i = 0; i < n; ++i) {
        bool all = true;
        for (int j = 0; j < 4; ++j) all &= clients[i]->read_line(5s) == "====" + line(i, j) + "====";
        answered += all;
    }
    EXPECT_EQ(answered, n);
    EXPECT_EQ(clients[n - 1]->ask("/online"), "online " + std::to_string(n));
}

TEST(io_uring, an_idle_connection_costs_under_4_kib_of_server_memory) {
    if (const auto why = backend_unavailable("io_uring"); !why.empty()) GTEST_SKIP() << why;
    raise_fd_limit();
    server_process server("io_uring");
    ASSERT_NE(server.port(), 0);
    // Every client has spoken once, so its session exists; the first 500 also touch each of
    // the shared receive buffers, which are no per-connection cost.
    std::vector<std::unique_ptr<client>> clients;
    const auto open = [&](int count) {
        for (int i = 0; i < count; ++i) {
            clients.push_back(std::make_unique<client>(server.port()));
            ASSERT_EQ(clients.back()->ask("idle"), "====idle====");
        }
    };
    open(500);
    const std::size_t before = rss_kib(server.pid());
    constexpr int more = 1000;
    open(more);
    const std::size_t after = rss_kib(server.pid());
    EXPECT_EQ(clients.back()->ask("/online"), "online 1500");
    EXPECT_LT(after - before, more * 4u)
        << "server memory grew by " << (after - before) << " KiB for " << more << " clients";
}

}  // namespace
}  // namespace robotbench::test
