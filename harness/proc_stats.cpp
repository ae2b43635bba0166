#include "proc_stats.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "system/unique_fd.hpp"

namespace robotbench {

namespace {

std::uint64_t number_after(std::string_view text, std::string_view key) {
    const auto at = text.find(key);
    if (at == std::string_view::npos) return 0;
    auto rest = text.substr(at + key.size());
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    std::uint64_t value = 0;
    std::from_chars(rest.data(), rest.data() + rest.size(), value);
    return value;
}

}  // namespace

std::optional<proc_stat> parse_proc_stat(std::string_view text) {
    // `pid (comm) state ppid ...`: comm may contain anything, so fields start after the last ')'.
    const auto paren = text.rfind(')');
    if (paren == std::string_view::npos) return std::nullopt;
    std::istringstream fields{std::string(text.substr(paren + 1))};
    std::vector<std::string> f{std::istream_iterator<std::string>(fields),
                               std::istream_iterator<std::string>()};
    // f[0] is field 3 (state); utime is field 14, so f[11]; num_threads is field 20, f[17].
    if (f.size() < 18) return std::nullopt;
    const auto num = [&](std::size_t i) {
        std::uint64_t v = 0;
        std::from_chars(f[i].data(), f[i].data() + f[i].size(), v);
        return v;
    };
    proc_stat s;
    s.utime = num(11);
    s.stime = num(12);
    s.cutime = num(13);
    s.cstime = num(14);
    s.threads = static_cast<unsigned>(num(17));
    return s;
}

proc_status parse_proc_status(std::string_view text) {
    proc_status s;
    s.voluntary_switches = number_after(text, "\nvoluntary_ctxt_switches:");
    s.involuntary_switches = number_after(text, "\nnonvoluntary_ctxt_switches:");
    s.rss_kib = number_after(text, "\nVmRSS:");
    return s;
}

std::optional<std::uint64_t> parse_schedstat_ns(std::string_view text) {
    std::uint64_t ns = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ns);
    if (error != std::errc{} || end == text.data()) return std::nullopt;
    return ns;
}

std::optional<std::uint64_t> parse_pss_kib(std::string_view smaps_rollup) {
    if (smaps_rollup.find("\nPss:") == std::string_view::npos) return std::nullopt;
    return number_after(smaps_rollup, "\nPss:");
}

std::optional<std::uint64_t> parse_kernel_memory_kib(std::string_view meminfo,
                                                     std::string_view sockstat,
                                                     std::uint64_t page_kib) {
    if (meminfo.find("Slab:") == std::string_view::npos) return std::nullopt;
    const std::string lines = "\n" + std::string(meminfo);
    std::uint64_t kib = number_after(lines, "\nSlab:") + number_after(lines, "\nKernelStack:") +
                        number_after(lines, "\nPageTables:");
    // `TCP: inuse 3 orphan 0 tw 0 alloc 5 mem 2`: mem counts pages of socket buffers.
    if (const auto tcp = sockstat.find("TCP:"); tcp != std::string_view::npos) {
        const auto line = sockstat.substr(tcp, sockstat.find('\n', tcp) - tcp);
        if (const auto mem = line.find(" mem "); mem != std::string_view::npos)
            kib += number_after(line, " mem ") * page_kib;
    }
    return kib;
}

std::optional<std::string> read_whole_file(const std::string& path) {
    // Plain read(2): a process that exits between open and read makes read fail with ESRCH,
    // which is an ordinary "gone" here, not an exception.
    const unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string text;
    char chunk[4096];
    for (;;) {
        const auto n = ::read(fd.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        text.append(chunk, static_cast<std::size_t>(n));
    }
    if (text.empty()) return std::nullopt;
    return text;
}

std::optional<std::string> read_proc_file(pid_t pid, std::string_view name) {
    return read_whole_file(fmt::format("/proc/{}/{}", pid, name));
}

std::optional<std::uint64_t> kernel_memory_kib() {
    static const std::uint64_t page_kib = [] {
        const long v = ::sysconf(_SC_PAGESIZE);
        return v > 0 ? static_cast<std::uint64_t>(v) / 1024 : 4;
    }();
    const auto meminfo = read_whole_file("/proc/meminfo");
    if (!meminfo) return std::nullopt;
    return parse_kernel_memory_kib(*meminfo, read_whole_file("/proc/net/sockstat").value_or(""),
                                   page_kib);
}

std::vector<pid_t> process_threads(pid_t pid) {
    namespace fs = std::filesystem;
    std::vector<pid_t> tids;
    std::error_code ec;
    for (fs::directory_iterator task(fmt::format("/proc/{}/task", pid), ec);
         !ec && task != fs::directory_iterator(); task.increment(ec)) {
        const auto name = task->path().filename().string();
        pid_t tid = 0;
        const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), tid);
        if (error == std::errc{} && end == name.data() + name.size()) tids.push_back(tid);
    }
    return tids;
}

namespace {

// The parent of every process, from /proc/*/stat: the way to find children on a kernel built
// without the /proc/PID/task/TID/children files.
std::vector<std::pair<pid_t, pid_t>> all_parents() {
    std::vector<std::pair<pid_t, pid_t>> parents;
    std::error_code ec;
    for (std::filesystem::directory_iterator entry("/proc", ec);
         !ec && entry != std::filesystem::directory_iterator(); entry.increment(ec)) {
        const auto name = entry->path().filename().string();
        pid_t pid = 0;
        if (std::from_chars(name.data(), name.data() + name.size(), pid).ec != std::errc{}) continue;
        const auto stat = read_proc_file(pid, "stat");
        const auto paren = stat ? stat->rfind(')') : std::string::npos;
        if (paren == std::string::npos) continue;
        std::istringstream fields{stat->substr(paren + 1)};
        char state = 0;
        pid_t parent = 0;
        if (fields >> state >> parent) parents.emplace_back(pid, parent);
    }
    return parents;
}

}  // namespace

std::vector<pid_t> process_tree(pid_t root) {
    std::vector<pid_t> tree;
    if (!std::filesystem::exists(fmt::format("/proc/{}", root))) return tree;
    tree.push_back(root);
    bool listed = false;
    for (std::size_t i = 0; i < tree.size(); ++i) {
        namespace fs = std::filesystem;
        std::error_code ec;
        for (fs::directory_iterator task(fmt::format("/proc/{}/task", tree[i]), ec);
             !ec && task != fs::directory_iterator(); task.increment(ec)) {
            std::ifstream children(task->path() / "children");
            listed = listed || static_cast<bool>(children);
            pid_t child = 0;
            while (children >> child) tree.push_back(child);
        }
    }
    if (listed) return tree;
    const auto parents = all_parents();
    for (std::size_t i = 0; i < tree.size(); ++i)
        for (const auto& [pid, parent] : parents)
            if (parent == tree[i]) tree.push_back(pid);
    return tree;
}

}  // namespace robotbench
