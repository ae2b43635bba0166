#pragma once
// Files for tests: reading one whole, and a scratch folder per test.

#include <filesystem>
#include <string>

namespace robotbench::test {

// The whole text of a file; empty if it cannot be read.
std::string read_file(const std::filesystem::path& path);

// A fresh, empty folder in the system's temporary directory, named after `prefix`, this process
// and the running test; removed with everything in it when the object goes. Construct it while a
// test runs (a fixture member will do).
class scratch_dir {
public:
    explicit scratch_dir(const std::string& prefix);
    ~scratch_dir();
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace robotbench::test
