#include "support/limited_server.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/server.hpp"

namespace robotbench::test {

namespace {

// A file name of its own for each server's stderr.
std::filesystem::path fresh_stderr_path() {
    static std::atomic<unsigned> made{0};
    return std::filesystem::temp_directory_path() /
           ("robotbench-test-stderr-" + std::to_string(::getpid()) + "-" +
            std::to_string(made.fetch_add(1)) + ".txt");
}

// The shell line that sends stderr to the file named by $0 and execs the rest.
std::vector<std::string> argv_for(const std::filesystem::path& stderr_path,
                                  const std::vector<std::string>& prefix,
                                  const std::string& backend,
                                  const std::vector<std::string>& extra) {
    std::vector<std::string> argv{"/bin/sh", "-c", "exec \"$@\" 2>\"$0\"", stderr_path.string()};
    argv.insert(argv.end(), prefix.begin(), prefix.end());
    for (const auto& arg :
         {robotbench_exe(), std::string("serve"), "--backend=" + backend, std::string("--port=0")})
        argv.push_back(arg);
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

// User plus system clock ticks of one process from /proc/PID/stat; 0 when it is gone.
unsigned long long cpu_ticks(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(file, text)) return 0;
    // The fields after the command name, which ends at the last ')': state is field 3, utime 14.
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string skip;
    for (int field = 3; field < 14; ++field) fields >> skip;
    unsigned long long user = 0, sys = 0;
    fields >> user >> sys;
    return user + sys;
}

// Adds the seconds each thread of one process has been runnable (fields 1 and 2 of its
// schedstat) to `out`.
void add_runnable(pid_t pid, std::map<pid_t, double>& out) {
    std::error_code ec;
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
        std::ifstream file(task.path() / "schedstat");
        unsigned long long on_cpu = 0, waiting = 0;
        if (!(file >> on_cpu >> waiting)) continue;
        out[std::stoi(task.path().filename().string())] =
            static_cast<double>(on_cpu + waiting) / 1e9;
    }
}

}  // namespace

std::string prlimit_exe() {
    for (const char* path : {"/usr/bin/prlimit", "/bin/prlimit"})
        if (::access(path, X_OK) == 0) return path;
    return {};
}

limited_server::limited_server(const std::vector<std::string>& prefix, const std::string& backend,
                               const std::vector<std::string>& extra)
    : stderr_path_(fresh_stderr_path()), child_(argv_for(stderr_path_, prefix, backend, extra)) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        const auto line = child_.read_line(left);
        if (!line) return;  // it ended (or said nothing in time)
        stdout_.push_back(*line);
        if (line->starts_with("listening on ")) {
            const auto colon = line->rfind(':');
            std::from_chars(line->data() + colon + 1, line->data() + line->size(), port_);
            return;
        }
    }
}

limited_server::~limited_server() {
    std::error_code ignored;
    std::filesystem::remove(stderr_path_, ignored);
}

std::vector<std::string> limited_server::stderr_lines() const {
    std::ifstream file(stderr_path_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(file, line);) lines.push_back(line);
    return lines;
}

std::vector<std::string> limited_server::await_stderr_lines(
    std::size_t count, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto lines = stderr_lines();
    while (lines.size() < count && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        lines = stderr_lines();
    }
    return lines;
}

std::optional<int> limited_server::exit_status(std::chrono::milliseconds timeout) {
    const auto status = child_.wait_for(timeout);
    if (!status) return std::nullopt;
    return WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
}

double tree_cpu_seconds(pid_t pid) {
    unsigned long long ticks = cpu_ticks(pid);
    for (const pid_t p : descendant_pids(pid)) ticks += cpu_ticks(p);
    return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::map<pid_t, double> tree_runnable_seconds(pid_t pid) {
    std::map<pid_t, double> by_thread;
    add_runnable(pid, by_thread);
    for (const pid_t p : descendant_pids(pid)) add_runnable(p, by_thread);
    return by_thread;
}

std::optional<double> most_runnable_thread(const std::map<pid_t, double>& before,
                                           const std::map<pid_t, double>& after) {
    if (before.empty() || after.empty()) return std::nullopt;
    double most = 0;
    for (const auto& [tid, seconds] : after) {
        const auto was = before.find(tid);
        most = std::max(most, seconds - (was == before.end() ? 0.0 : was->second));
    }
    return most;
}

}  // namespace robotbench::test
