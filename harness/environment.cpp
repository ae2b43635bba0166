#include "environment.hpp"

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <sys/utsname.h>

#include <ctime>
#include <fstream>
#include <string_view>
#include <thread>

// ROBOTBENCH_GIT_REVISION: written at build time by harness/git_revision.cmake.
#include "git_revision.hpp"

// Set by harness/CMakeLists.txt at configure time; the fallbacks keep the file compiling alone.
#ifndef ROBOTBENCH_VERSION
#define ROBOTBENCH_VERSION "unknown"
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

std::string version_line() {
    std::string build = ROBOTBENCH_BUILD_TYPE;
    if (!std::string_view(ROBOTBENCH_SANITIZERS).empty())
        build += fmt::format(", sanitizers {}", ROBOTBENCH_SANITIZERS);
    return fmt::format("robotbench {} (git {}, {}, {})", ROBOTBENCH_VERSION,
                       ROBOTBENCH_GIT_REVISION, compiler_name(), build);
}

std::string utc_timestamp(std::chrono::system_clock::time_point t) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                       fmt::gmtime(std::chrono::system_clock::to_time_t(t)));
}

}  // namespace robotbench
