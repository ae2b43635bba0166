#include "csv_writer.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace robotbench {

namespace {

std::string quoted(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

struct field_text {
    std::string operator()(std::monostate) const { return "n/a"; }
    std::string operator()(const std::string& s) const { return quoted(s); }
    std::string operator()(std::uint64_t n) const { return fmt::format("{}", n); }
    std::string operator()(const decimal& d) const {
        return fmt::format("{:.{}f}", d.value, d.places);
    }
};

}  // namespace

std::string csv_field(const cell& value) {
    return std::visit(field_text{}, value);
}

std::string csv_header() {
    std::string line;
    for (const auto& c : columns()) {
        if (!line.empty()) line += ',';
        line += c.name;
    }
    return line;
}

std::string csv_row(const run_record& run) {
    std::string line;
    bool first = true;
    for (const auto& c : columns()) {
        if (!first) line += ',';
        first = false;
        line += csv_field(c.value(run));
    }
    return line;
}

csv_output::csv_output(std::string path) : path_(std::move(path)) {}

void csv_output::append(std::span<const run_record> runs) {
    namespace fs = std::filesystem;
    const std::string header = csv_header();
    if (path_ == "-") {
        if (!header_written_) fmt::print("{}\n", header);
        header_written_ = true;
        for (const auto& run : runs) fmt::print("{}\n", csv_row(run));
        std::fflush(stdout);
        if (std::ferror(stdout)) throw std::runtime_error("cannot write to standard output");
        return;
    }
    const fs::path file(path_);
    if (file.has_parent_path()) fs::create_directories(file.parent_path());
    std::error_code ec;
    const auto type = fs::status(file, ec).type();
    // A pipe, FIFO or device is written, never read: reading it would wait for input forever.
    bool is_new = true;
    if (type == fs::file_type::regular) {
        if (std::ifstream existing(file); existing) {
            std::string first_line;
            if (std::getline(existing, first_line)) {
                is_new = false;
                if (first_line != header) throw std::runtime_error(another_header(path_));
            }
        }
    } else if (type != fs::file_type::not_found) {
        is_new = !header_written_;
    }
    std::ofstream out(file, std::ios::app);
    if (!out) throw std::system_error(errno, std::generic_category(), "open " + path_);
    if (is_new) out << header << '\n';
    header_written_ = true;
    for (const auto& run : runs) out << csv_row(run) << '\n';
    out.flush();
    if (!out) throw std::system_error(errno, std::generic_category(), "write " + path_);
}

void append_csv(const std::string& path, std::span<const run_record> runs) {
    csv_output(path).append(runs);
}

std::string another_header(const std::string& path) {
    return fmt::format(
        "{} has a different header (another version of robotbench wrote it); not appending: "
        "move it away or pass --csv NEW_FILE",
        path);
}

}  // namespace robotbench
