#include "environment.hpp"

#include <fmt/core.h>
#include <sys/utsname.h>

#include <ctime>
#include <fstream>
#include <string_view>
#include <thread>

// Set by harness/CMakeLists.txt at configure time; the fallbacks keep the file compiling alone.
#ifndef ROBOTBENCH_VERSION
#define ROBOTBENCH_VERSION "unknown"
#endif
#ifndef ROBOTBENCH_GIT_REVISION
#define ROBOTBENCH_GIT_REVISION "unknown"
#endif
#ifndef ROBOTBENCH_BUILD_TYPE
#define ROBOTBENCH_BUILD_TYPE "unknown"
#endif
#ifndef ROBOTBENCH_SANITIZERS
#define ROBOTBENCH_SANITIZERS ""
#endif

namespace robotbench {

namespace {

std::string compiler_name() {
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "g++ " __VERSION__;
#else
    return "unknown";
#endif
}

std::string cpu_model_name() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (!line.starts_with("model name")) continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos) break;
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        return value;
    }
    return "unknown";
}

// This process's arguments from /proc/self/cmdline (NUL-separated), or `unknown`.
std::string this_command_line() {
    std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
    std::vector<std::string> args;
    std::string arg;
    while (std::getline(cmdline, arg, '\0')) args.push_back(arg);
    return args.empty() ? std::string("unknown") : shell_command_line(args);
}

}  // namespace

std::string shell_command_line(const std::vector<std::string>& args) {
    constexpr std::string_view plain =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=/.,:@%";
    std::string line;
    for (const auto& arg : args) {
        if (!line.empty()) line += ' ';
        if (!arg.empty() && arg.find_first_not_of(plain) == std::string::npos) {
            line += arg;
            continue;
        }
        line += '\'';
        for (const char c : arg) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
        line += '\'';
    }
    return line;
}

environment current_environment() {
    environment env;
    env.version = ROBOTBENCH_VERSION;
    env.git_revision = ROBOTBENCH_GIT_REVISION;
    env.build_type = ROBOTBENCH_BUILD_TYPE;
    env.sanitizers = ROBOTBENCH_SANITIZERS;
    env.compiler = compiler_name();
    utsname names{};
    env.kernel = ::uname(&names) == 0 ? fmt::format("{} {}", names.sysname, names.release)
                                      : std::string("unknown");
    env.cpu_model = cpu_model_name();
    env.cores = std::thread::hardware_concurrency();
    env.command_line = this_command_line();
    return env;
}

std::string utc_timestamp(std::chrono::system_clock::time_point t) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                       utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

}  // namespace robotbench
