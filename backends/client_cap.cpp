#include "client_cap.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "system/unique_fd.hpp"

namespace robotbench {

namespace {

// One candidate bound: how many clients a limit leaves room for, and why.
struct bound {
    std::uint64_t clients;
    std::string reason;
};

// What is left of a task limit once the tasks running and the reserve are taken off.
bound task_bound(std::string_view name, std::uint64_t limit, std::uint64_t running,
                 std::string_view running_what) {
    const std::uint64_t taken = running + reserved_tasks;
    return {limit > taken ? limit - taken : 0,
            fmt::format("{} {} with {} {} running and {} kept free", name, limit, running,
                        running_what, reserved_tasks)};
}

std::string memory_text(std::uint64_t kib) {
    if (kib >= 1024 * 1024) return fmt::format("{:.1f} GiB", static_cast<double>(kib) / (1 << 20));
    if (kib >= 1024) return fmt::format("{:.1f} MiB", static_cast<double>(kib) / 1024);
    return fmt::format("{} KiB", kib);
}

// The whole of a small file, or empty when it cannot be read. One descriptor at a time.
std::string read_small_file(const char* path) {
    unique_fd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd) return {};
    std::string text;
    char chunk[4096];
    for (;;) {
        const auto n = ::read(fd.get(), chunk, sizeof chunk);
        if (n <= 0) break;
        text.append(chunk, static_cast<std::size_t>(n));
    }
    return text;
}

// The first unsigned number in `text` at or after `from`.
std::optional<std::uint64_t> number_at(std::string_view text, std::size_t from = 0) {
    const auto start = text.find_first_of("0123456789", from);
    if (start == std::string_view::npos) return std::nullopt;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data() + start, text.data() + text.size(), value);
    if (ec != std::errc{}) return std::nullopt;
    return value;
}

// The number after `key` (a line start such as "MemAvailable:") in a /proc text.
std::optional<std::uint64_t> field(std::string_view text, std::string_view key) {
    std::size_t at = 0;
    while ((at = text.find(key, at)) != std::string_view::npos) {
        if (at == 0 || text[at - 1] == '\n') return number_at(text, at + key.size());
        at += key.size();
    }
    return std::nullopt;
}

std::optional<std::uint64_t> read_number(const char* path) { return number_at(read_small_file(path)); }

// Processes and threads whose real user is `uid`, summed over /proc/PID/status.
std::uint64_t tasks_of_user(uid_t uid) {
    DIR* dir = ::opendir("/proc");
    if (dir == nullptr) return 0;
    std::uint64_t tasks = 0;
    while (const dirent* entry = ::readdir(dir)) {
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
        const std::string path = fmt::format("/proc/{}/status", entry->d_name);
        const std::string status = read_small_file(path.c_str());
        const auto real_uid = field(status, "Uid:");
        if (!real_uid || *real_uid != uid) continue;
        tasks += field(status, "Threads:").value_or(1);
    }
    ::closedir(dir);
    return tasks;
}

}  // namespace

client_capacity client_cap(const machine_limits& limits, const client_cost& cost) {
    std::vector<bound> bounds;
    if (limits.nproc)
        bounds.push_back(task_bound("RLIMIT_NPROC", *limits.nproc, limits.user_tasks,
                                    "tasks of this user"));
    if (limits.pid_max)
        bounds.push_back(task_bound("kernel.pid_max", *limits.pid_max, limits.system_tasks,
                                    "tasks"));
    if (limits.threads_max)
        bounds.push_back(task_bound("kernel.threads-max", *limits.threads_max,
                                    limits.system_tasks, "tasks"));
    if (limits.max_map_count && cost.mappings != 0) {
        const std::uint64_t taken = limits.maps_in_use + reserved_mappings;
        const std::uint64_t left = *limits.max_map_count > taken ? *limits.max_map_count - taken : 0;
        bounds.push_back({left / cost.mappings,
                          fmt::format("vm.max_map_count {} with {} mappings in use and {} kept "
                                      "free, {} per client {}",
                                      *limits.max_map_count, limits.maps_in_use,
                                      reserved_mappings, cost.mappings, cost.unit)});
    }
    if (limits.mem_available_kib && cost.kib != 0)
        bounds.push_back({*limits.mem_available_kib / cost.kib,
                          fmt::format("MemAvailable {} at an estimated {} KiB per client {}",
                                      memory_text(*limits.mem_available_kib), cost.kib,
                                      cost.unit)});
    if (bounds.empty()) return {};
    const bound* least = &bounds.front();
    for (const auto& b : bounds)
        if (b.clients < least->clients) least = &b;
    client_capacity cap;
    cap.reason = least->reason;
    cap.default_max_conns = true;
    if (least->clients == 0)
        cap.cannot_start = fmt::format("no room for a single client {}: {}", cost.unit,
                                       least->reason);
    else
        cap.clients = static_cast<std::size_t>(least->clients);
    return cap;
}

machine_limits read_machine_limits() {
    machine_limits limits;
    rlimit nproc{};
    if (::getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY)
        limits.nproc = nproc.rlim_cur;
    limits.user_tasks = tasks_of_user(::getuid());
    limits.pid_max = read_number("/proc/sys/kernel/pid_max");
    limits.threads_max = read_number("/proc/sys/kernel/threads-max");
    // /proc/loadavg: "0.10 0.20 0.30 RUNNING/TOTAL LASTPID"; TOTAL counts every task.
    const std::string loadavg = read_small_file("/proc/loadavg");
    if (const auto slash = loadavg.find('/'); slash != std::string::npos)
        limits.system_tasks = number_at(loadavg, slash).value_or(0);
    limits.max_map_count = read_number("/proc/sys/vm/max_map_count");
    const std::string maps = read_small_file("/proc/self/maps");
    for (const char c : maps) limits.maps_in_use += c == '\n';
    limits.mem_available_kib = field(read_small_file("/proc/meminfo"), "MemAvailable:");
    return limits;
}

client_capacity per_client_capacity(const server_options& options, const client_cost& cost) {
    if (options.max_conns == 0) return client_cap(read_machine_limits(), cost);
    client_capacity given;
    given.clients = options.max_conns;
    given.reason = "--max-conns";
    return given;
}

}  // namespace robotbench
