#pragma once
// The fixture of the tests that write files: each test gets a scratch folder of its own.

#include <gtest/gtest.h>

#include <filesystem>

#include "files.hpp"

namespace robotbench::test {

// A test with a fresh, empty folder `dir_`, removed with everything in it when the test ends.
// The folder is named after the test suite and the test (see scratch_dir), so a fixture that
// derives from this one needs no name of its own. Used on the test's own thread.
class scratch_test : public ::testing::Test {
  protected:
    const scratch_dir scratch_{"robotbench"};
    const std::filesystem::path& dir_ = scratch_.path();
};

}  // namespace robotbench::test
