#include "output_check.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "csv_writer.hpp"

namespace robotbench {

namespace fs = std::filesystem;

std::string output_problem(const std::string& path, bool allow_stdout) {
    if (path.empty() || (allow_stdout && path == "-")) return {};
    const fs::path file(path);
    std::error_code ec;
    const auto type = fs::status(file, ec).type();
    if (type == fs::file_type::not_found) {
        const fs::path folder = file.has_parent_path() ? file.parent_path() : fs::path(".");
        fs::create_directories(folder, ec);
        if (ec) return fmt::format("cannot write {}: {}", path, ec.message());
        if (::access(folder.c_str(), W_OK | X_OK) != 0)
            return fmt::format("cannot write {}: {}", path, std::strerror(errno));
        return {};
    }
    if (ec) return fmt::format("cannot write {}: {}", path, ec.message());
    if (type == fs::file_type::directory) return fmt::format("cannot write {}: it is a folder", path);
    if (::access(file.c_str(), W_OK) != 0)
        return fmt::format("cannot write {}: {}", path, std::strerror(errno));
    return {};
}

std::string csv_output_problem(const std::string& path) {
    if (auto problem = output_problem(path, true); !problem.empty()) return problem;
    std::error_code ec;
    if (path.empty() || path == "-" || !fs::is_regular_file(path, ec)) return {};
    std::ifstream existing(path);
    std::string first_line;
    if (existing && std::getline(existing, first_line) && first_line != csv_header())
        return another_header(path);
    return {};
}

std::string outputs_problem(const std::string& csv_path, const std::string& json_path,
                            const std::vector<std::string>& hgrm_paths) {
    if (auto problem = csv_output_problem(csv_path); !problem.empty()) return problem;
    if (auto problem = output_problem(json_path, true); !problem.empty()) return problem;
    for (const auto& hgrm : hgrm_paths)
        if (auto problem = output_problem(hgrm, false); !problem.empty()) return problem;
    return {};
}

}  // namespace robotbench
