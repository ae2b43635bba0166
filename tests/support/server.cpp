#include "support/server.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "backends/backend.hpp"

namespace robotbench::test {

std::string robotbench_exe() { return ROBOTBENCH_EXE; }

std::string backend_unavailable(const std::string& backend) {
    // An unknown name is no reason to skip: the test starts the server and fails there.
    const backend_info* row = find_backend(backend);
    return row == nullptr ? std::string() : row->unavailable();
}

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

std::string backend_test_name(std::string backend) {
    for (auto& c : backend)
        if (c == '-') c = '_';
    return backend;
}

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

std::size_t rss_kib(pid_t pid) { return status_field(pid, "VmRSS:"); }

std::size_t thread_count(pid_t pid) { return status_field(pid, "Threads:"); }

namespace {

// State letter and parent pid of one process from /proc/PID/stat; nullopt if it is gone. The
// command name may hold spaces and parentheses, so the fields are read after the last ')'.
struct proc_stat {
    char state;
    pid_t ppid;
};
std::optional<proc_stat> read_proc_stat(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(file, text)) return std::nullopt;
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(paren + 1));
    proc_stat st{};
    if (!(fields >> st.state >> st.ppid)) return std::nullopt;
    return st;
}

// Every process on the machine with its parent, for kernels without /proc/PID/task/TID/children.
std::vector<std::pair<pid_t, pid_t>> all_parents() {
    std::vector<std::pair<pid_t, pid_t>> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const auto name = entry.path().filename().string();
        pid_t pid = 0;
        const auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), pid);
        if (err != std::errc{} || end != name.data() + name.size()) continue;
        if (const auto st = read_proc_stat(pid)) out.emplace_back(pid, st->ppid);
    }
    return out;
}

}  // namespace

std::vector<pid_t> child_pids(pid_t pid) {
    std::vector<pid_t> out;
    const auto task_dir = "/proc/" + std::to_string(pid) + "/task";
    std::error_code ec;
    bool listed = false;
    for (const auto& task : std::filesystem::directory_iterator(task_dir, ec)) {
        std::ifstream children(task.path() / "children");
        if (!children) continue;
        listed = true;
        pid_t child = 0;
        while (children >> child) out.push_back(child);
    }
    if (listed) return out;
    // The kernel was built without the children file: find them by their parent pid.
    for (const auto& [p, parent] : all_parents())
        if (parent == pid) out.push_back(p);
    return out;
}

std::vector<pid_t> descendant_pids(pid_t pid) {
    const auto parents = all_parents();
    std::vector<pid_t> out;
    std::vector<pid_t> todo{pid};
    while (!todo.empty()) {
        const pid_t parent = todo.back();
        todo.pop_back();
        for (const auto& [p, pp] : parents) {
            if (pp != parent) continue;
            out.push_back(p);
            todo.push_back(p);
        }
    }
    return out;
}

std::size_t tree_rss_kib(pid_t pid) {
    std::size_t total = rss_kib(pid);
    for (const pid_t p : descendant_pids(pid)) total += rss_kib(p);
    return total;
}

bool process_running(pid_t pid) {
    const auto st = read_proc_stat(pid);
    return st && st->state != 'Z' && st->state != 'X' && st->state != 'x';
}

void raise_fd_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
}

}  // namespace robotbench::test
