#include "server_under_test.hpp"

#include <fmt/core.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <charconv>
#include <stdexcept>
#include <vector>

#include "duration.hpp"

namespace robotbench {

namespace {

std::vector<std::string> serve_argv(const server_launch& launch) {
    // /proc/self/exe is this very binary, even if the file was replaced since it started.
    std::vector<std::string> argv{"/proc/self/exe", "serve", "--backend=" + launch.backend,
                                  "--port=0", "--quiet"};
    if (launch.threads != 0) argv.push_back(fmt::format("--threads={}", launch.threads));
    if (launch.workers != 0) argv.push_back(fmt::format("--workers={}", launch.workers));
    if (launch.max_line != 0) argv.push_back(fmt::format("--max-line={}", launch.max_line));
    if (launch.idle_timeout.count() > 0)
        argv.push_back("--idle-timeout=" + duration_text(launch.idle_timeout));
    return argv;
}

double seconds(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

lifetime_usage from_rusage(const rusage& ru) {
    lifetime_usage u;
    u.user_s = seconds(ru.ru_utime);
    u.sys_s = seconds(ru.ru_stime);
    u.voluntary_switches = static_cast<std::uint64_t>(ru.ru_nvcsw);
    u.involuntary_switches = static_cast<std::uint64_t>(ru.ru_nivcsw);
    u.max_rss_kib = static_cast<std::uint64_t>(ru.ru_maxrss);  // KiB on Linux
    return u;
}

}  // namespace

std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = ::sigdescr_np(sig);
        return fmt::format("was killed by signal {} ({})", sig, name ? name : "unknown");
    }
    return fmt::format("ended with wait status {:#x}", status);
}

server_under_test::server_under_test(const server_launch& launch) : process_(serve_argv(launch)) {
    const auto line = process_.read_line(launch.start_timeout);
    const std::string prefix = "listening on ";
    if (!line) {
        const auto status = process_.wait_for(std::chrono::milliseconds(200));
        throw std::runtime_error(
            status ? fmt::format("the {} server {} before it was listening", launch.backend,
                                 describe_wait_status(*status))
                   : fmt::format("the {} server printed no 'listening on' line within {} ms",
                                 launch.backend, launch.start_timeout.count()));
    }
    const auto colon = line->rfind(':');
    if (!line->starts_with(prefix) || colon == std::string::npos || colon < prefix.size())
        throw std::runtime_error(
            fmt::format("the {} server's first line was not 'listening on HOST:PORT' but '{}'",
                        launch.backend, *line));
    host_ = line->substr(prefix.size(), colon - prefix.size());
    const auto [end, ec] =
        std::from_chars(line->data() + colon + 1, line->data() + line->size(), port_);
    if (ec != std::errc{} || port_ == 0)
        throw std::runtime_error(
            fmt::format("the {} server printed a bad port: '{}'", launch.backend, *line));
}

std::optional<std::string> server_under_test::ended() {
    const auto status = process_.wait_for(std::chrono::milliseconds(0));
    if (!status) return std::nullopt;
    return describe_wait_status(*status);
}

server_stop server_under_test::stop(std::chrono::milliseconds timeout) {
    server_stop result;
    const bool was_running = process_.running();
    process_.signal(SIGTERM);
    auto status = process_.wait_for(timeout);
    if (!status) {
        process_.signal(SIGKILL);
        status = process_.wait_for(std::chrono::seconds(5));
        result.problem = fmt::format("the server did not exit within {} ms of SIGTERM (killed)",
                                     timeout.count());
    } else if (was_running && (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0)) {
        result.problem = fmt::format("the server {}", describe_wait_status(*status));
    }
    if (status) result.usage = from_rusage(process_.usage());
    return result;
}

}  // namespace robotbench
