#pragma once
// The fixture and helpers of the every-backend protocol suite (test_protocol*.cpp): the backend
// under test started on port 0, and the reply lines a client expects.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/client.hpp"
#include "support/server.hpp"

namespace robotbench::test {

// A reply line as it travels, LF included.
std::string echo(std::string_view payload);
// A reply line as client::ask and read_line return it, without the LF.
std::string fenced(std::string_view payload);

// Where two long byte strings part, so a failure message stays readable.
std::string first_difference(std::string_view got, std::string_view want);

// Asks `/online` on an open connection until it reports `expected` or 3 s pass; returns the
// last reply.
std::string online_on(client& asker, std::int64_t expected);

// Reads one reply from each client and counts those equal to fenced(prefix + index); all the
// reads share one 10 s deadline, so a server that drops clients fails fast.
int count_answers(std::vector<std::unique_ptr<client>>& clients, const std::string& prefix);

// The suite's fixture, parameterised by backend name: a backend the build lacks skips. Used on
// the test's own thread; it owns the server it started.
class protocol_test : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (const auto why = backend_unavailable(GetParam()); !why.empty()) GTEST_SKIP() << why;
    }
    // Starts the backend under test; returns its port, or 0 when it did not start.
    std::uint16_t start(const std::vector<std::string>& extra = {}) {
        server_.emplace(GetParam(), extra);
        if (GetParam() == "prefork" && server_->port() != 0) await_prefork_pool(extra);
        return server_->port();
    }
    // A prefork server forks its pool after it printed the port: waits up to 30 s for the
    // whole pool (--workers, default 128), so a test measures a server that has started.
    void await_prefork_pool(const std::vector<std::string>& extra) {
        std::size_t workers = 128;
        for (const auto& arg : extra)
            if (arg.starts_with("--workers=")) workers = std::stoul(arg.substr(10));
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (descendant_pids(server_->pid()).size() < workers &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(10ms);
        EXPECT_EQ(descendant_pids(server_->pid()).size(), workers) << "the prefork pool";
    }
    server_process& server() { return *server_; }

private:
    std::optional<server_process> server_;
};

}  // namespace robotbench::test
