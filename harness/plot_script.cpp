#include "plot_script.hpp"

#include <fmt/core.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <system_error>

#include "child_process.hpp"

namespace robotbench {

std::string plot_script_path() {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path() / ROBOTBENCH_INSTALLED_SCRIPTS / "plot.py";
        if (fs::exists(installed, ec)) return installed.lexically_normal().string();
    }
    return std::string(ROBOTBENCH_SCRIPTS_DIR) + "/plot.py";
}

bool run_plot_script(const std::vector<std::string>& args, std::FILE* to) {
    const std::string plot = plot_script_path();
    std::vector<std::string> argv{ROBOTBENCH_PYTHON, plot};
    argv.insert(argv.end(), args.begin(), args.end());
    try {
        child_process plotter(argv);
        while (const auto line = plotter.read_line(std::chrono::seconds(120)))
            fmt::print(to, "  {}\n", *line);
        const auto status = plotter.wait_for(std::chrono::seconds(60));
        if (status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return true;
        fmt::print(stderr, "robotbench: {} failed\n", plot);
    } catch (const std::exception& e) {
        fmt::print(stderr, "robotbench: cannot start {}: {}\n", plot, e.what());
    }
    return false;
}

}  // namespace robotbench
