#include "support/command.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>

#include "support/server.hpp"

namespace robotbench::test {

namespace {

// One CSV line split into fields, quotes removed.
std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            fields.back() += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    return fields;
}

}  // namespace

outcome collect(child_process& child, std::chrono::seconds timeout) {
    outcome out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto line = child.read_line(std::chrono::milliseconds(200))) {
            out.output += *line + "\n";
            out.lines.push_back(std::move(*line));
            continue;
        }
        if (const auto status = child.wait_for(std::chrono::milliseconds(0))) {
            while (auto rest = child.read_line(std::chrono::milliseconds(50))) {
                out.output += *rest + "\n";
                out.lines.push_back(std::move(*rest));
            }
            out.status = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
            return out;
        }
    }
    ADD_FAILURE() << "the command did not finish within " << timeout.count() << " s";
    return out;
}

outcome run_robotbench(const std::vector<std::string>& args, std::chrono::seconds timeout) {
    // sh execs robotbench, so the child's pid is robotbench's own.
    std::vector<std::string> argv{"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1", robotbench_exe()};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process child(argv);
    return collect(child, timeout);
}

std::vector<csv_row> read_csv(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::vector<std::string> names;
    std::vector<csv_row> rows;
    for (std::string line; std::getline(in, line);) {
        auto fields = split_csv_line(line);
        if (names.empty()) {
            names = std::move(fields);
            continue;
        }
        EXPECT_EQ(names.size(), fields.size()) << "row and header differ in length: " << line;
        csv_row row;
        for (std::size_t i = 0; i < names.size() && i < fields.size(); ++i) row[names[i]] = fields[i];
        rows.push_back(std::move(row));
    }
    return rows;
}

csv_row last_csv_row(const std::filesystem::path& path, std::size_t* rows) {
    auto all = read_csv(path);
    if (rows) *rows = all.size();
    return all.empty() ? csv_row{} : all.back();
}

double number(const csv_row& row, const std::string& column) {
    const auto it = row.find(column);
    if (it == row.end()) {
        ADD_FAILURE() << "no CSV column " << column;
        return -1;
    }
    try {
        return std::stod(it->second);
    } catch (const std::exception&) {
        ADD_FAILURE() << column << " is not a number: '" << it->second << "'";
        return -1;
    }
}

}  // namespace robotbench::test
