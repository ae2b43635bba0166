#include "text_file.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace robotbench {

void write_text_file(const std::string& path, const std::string& text) {
    namespace fs = std::filesystem;
    if (path == "-") {
        fmt::print("{}", text);
        std::fflush(stdout);
        if (std::ferror(stdout)) throw std::runtime_error("cannot write to standard output");
        return;
    }
    const fs::path file(path);
    if (file.has_parent_path()) fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::trunc);
    if (!out) throw std::system_error(errno, std::generic_category(), "open " + path);
    out << text;
    out.flush();
    if (!out) throw std::system_error(errno, std::generic_category(), "write " + path);
}

}  // namespace robotbench
