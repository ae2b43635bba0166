#pragma once
// The parameters of the every-backend suites: every backend, in the registry's order
// (backends/registry.cpp), and their test names. A new backend is added here once and goes
// through every such suite.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server.hpp"

namespace robotbench::test {

inline const std::vector<std::string>& every_backend() {
    static const std::vector<std::string> names{
        "select",  "fork",  "thread",   "libuv",   "thread-per-client",
        "prefork", "epoll", "reactors", "io_uring"};
    return names;
}

// thread-per-client becomes thread_per_client (a test name allows letters, digits and '_').
inline std::string backend_param_name(const ::testing::TestParamInfo<std::string>& info) {
    return backend_test_name(info.param);
}

}  // namespace robotbench::test
