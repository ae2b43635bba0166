#include "support/server.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace robotbench::test {

std::string robotbench_exe() { return ROBOTBENCH_EXE; }

server_process::server_process(const std::string& backend, const std::vector<std::string>& extra)
    : server_process([&] {
          std::vector<std::string> argv{robotbench_exe(), "serve", "--backend=" + backend,
                                        "--port=0", "--quiet"};
          argv.insert(argv.end(), extra.begin(), extra.end());
          return argv;
      }()) {}

server_process::server_process(const std::vector<std::string>& argv) : child_(argv) {
    const auto line = child_.read_line(std::chrono::seconds(5));
    const std::string prefix = "listening on ";
    if (!line || !line->starts_with(prefix)) {
        ADD_FAILURE() << "server did not print its listening line: " << line.value_or("<none>");
        return;
    }
    const auto colon = line->rfind(':');
    std::from_chars(line->data() + colon + 1, line->data() + line->size(), port_);
}

int server_process::terminate(std::chrono::milliseconds timeout) {
    child_.signal(SIGTERM);
    const auto status = child_.wait_for(timeout);
    if (!status) return -1;
    return WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
}

std::size_t rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (status >> key) {
        if (key == "VmRSS:") {
            std::size_t kib = 0;
            status >> kib;
            return kib;
        }
        status.ignore(1 << 20, '\n');
    }
    return 0;
}

std::vector<pid_t> child_pids(pid_t pid) {
    std::vector<pid_t> out;
    const auto task_dir = "/proc/" + std::to_string(pid) + "/task";
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(task_dir, ec)) {
        std::ifstream children(task.path() / "children");
        pid_t child = 0;
        while (children >> child) out.push_back(child);
    }
    return out;
}

void raise_fd_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
}

}  // namespace robotbench::test
