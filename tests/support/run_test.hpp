#pragma once
// The fixture of the run tests (test_run*.cpp): a scratch folder and the short run they share.

#include <string>
#include <vector>

#include "support/scratch_test.hpp"

namespace robotbench::test {

// A scratch folder per test and the short run every run test uses, its CSV and JSON in that
// folder. Used on the test's own thread.
class run_test : public scratch_test {
  protected:
    // The short run every test uses.
    std::vector<std::string> short_run(std::vector<std::string> args) const {
        for (const char* a : {"-d", "500ms", "--warmup", "200ms", "-c", "8"}) args.emplace_back(a);
        args.push_back("--csv=" + (dir_ / "runs.csv").string());
        args.push_back("--json=" + (dir_ / "runs.json").string());
        return args;
    }
};

}  // namespace robotbench::test
