// Reply validation: unique payloads per request, and a validator that catches one wrong byte, a
// missing reply and a swapped order; impossible load settings are refused before a run.

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "loadgen/config_check.hpp"
#include "loadgen/load.hpp"
#include "loadgen/payload.hpp"
#include "loadgen/schedule.hpp"
#include "loadgen/usage_error.hpp"
#include "loadgen/validator.hpp"
#include "protocol/line_splitter.hpp"

namespace robotbench::loadgen {
namespace {

// The server's correct reply line (without LF) to request `seq` of `payloads`.
std::string echo_of(payload_builder& payloads, std::uint64_t seq) {
    return "====" + std::string(payloads.payload(seq)) + "====";
}

TEST(payload, has_the_requested_size_and_is_unique_per_request_and_connection) {
    payload_builder a(1, 64), b(2, 64);
    std::set<std::string> seen;
    for (std::uint64_t seq = 0; seq < 1000; ++seq) {
        const std::string pa(a.payload(seq));
        EXPECT_EQ(pa.size(), 64u);
        EXPECT_EQ(pa.find_first_of("\r\n"), std::string::npos);
        EXPECT_TRUE(seen.insert(pa).second) << pa;
        EXPECT_TRUE(seen.insert(std::string(b.payload(seq))).second);
    }
}

TEST(payload, request_is_the_payload_and_lf) {
    payload_builder p(7, 20);
    std::string request(p.request_size(), '?');
    p.write_request(request.data(), 42);
    EXPECT_EQ(request, std::string(p.payload(42)) + "\n");
    EXPECT_EQ(request.size(), 21u);
}

TEST(payload, below_the_minimum_size_is_refused) {
    EXPECT_THROW(payload_builder(0, min_payload_size - 1), std::invalid_argument);
    EXPECT_NO_THROW(payload_builder(0, min_payload_size));
}

class validation : public ::testing::Test {
  protected:
    void send(std::uint64_t seq) { v.sent(seq, 100 + seq, 200 + seq); }
    reply_verdict reply(const std::string& line) { return v.on_reply(line, payloads, errors); }

    payload_builder payloads{3, 32};
    reply_validator v;
    error_counts errors;
};

TEST_F(validation, in_order_echoes_are_ok_with_their_send_times) {
    for (std::uint64_t seq = 0; seq < 4; ++seq) send(seq);
    for (std::uint64_t seq = 0; seq < 4; ++seq) {
        const auto verdict = reply(echo_of(payloads, seq));
        EXPECT_EQ(verdict.kind, reply_kind::ok);
        EXPECT_EQ(verdict.intended_ns, std::int64_t(100 + seq));
        EXPECT_EQ(verdict.sent_ns, std::int64_t(200 + seq));
    }
    EXPECT_EQ(errors.total(), 0u);
    EXPECT_EQ(v.in_flight_count(), 0u);
}

TEST_F(validation, one_wrong_byte_anywhere_is_caught) {
    // Sequence numbers 0 and 0xabc differ in three digits, so no single changed byte turns the
    // reply to one into the reply to the other.
    const std::string good = echo_of(payloads, 0);
    for (std::size_t at = 0; at < good.size(); ++at) {
        v.clear();
        errors = {};
        send(0);
        send(0xabc);
        std::string bad = good;
        bad[at] ^= 0x01;
        EXPECT_EQ(reply(bad).kind, reply_kind::wrong) << "byte " << at;
        EXPECT_EQ(errors.wrong, 1u);
        // The wrong line stood for request 0; the next request's reply is still fine.
        EXPECT_EQ(reply(echo_of(payloads, 0xabc)).kind, reply_kind::ok);
        EXPECT_EQ(errors.total(), 1u);
    }
}

TEST_F(validation, truncated_and_extended_replies_are_wrong) {
    send(0);
    send(1);
    const std::string good = echo_of(payloads, 0);
    EXPECT_EQ(reply(good.substr(0, good.size() - 1)).kind, reply_kind::wrong);
    EXPECT_EQ(reply(echo_of(payloads, 1) + "x").kind, reply_kind::wrong);
    EXPECT_EQ(errors.wrong, 2u);
}

TEST_F(validation, a_reply_with_nothing_in_flight_is_wrong) {
    EXPECT_EQ(reply(echo_of(payloads, 0)).kind, reply_kind::wrong);
    EXPECT_EQ(errors.wrong, 1u);
}

TEST_F(validation, a_swapped_order_counts_one_reordered) {
    send(0);
    send(1);
    EXPECT_EQ(reply(echo_of(payloads, 1)).kind, reply_kind::early);
    EXPECT_EQ(reply(echo_of(payloads, 0)).kind, reply_kind::late);
    EXPECT_EQ(errors.reordered, 1u);
    EXPECT_EQ(errors.total(), 1u);
    EXPECT_EQ(v.in_flight_count(), 0u);
}

TEST_F(validation, a_missing_reply_counts_missing_when_the_run_gives_up) {
    for (std::uint64_t seq = 0; seq < 3; ++seq) send(seq);
    EXPECT_EQ(reply(echo_of(payloads, 0)).kind, reply_kind::ok);
    EXPECT_EQ(reply(echo_of(payloads, 2)).kind, reply_kind::early);  // 1 never comes
    EXPECT_EQ(v.awaited(), 0u);  // nothing is due in order any more
    EXPECT_EQ(v.in_flight_count(), 1u);
    v.abandon_timed_out(errors);
    EXPECT_EQ(errors.missing, 1u);
    EXPECT_EQ(errors.timeout, 0u);
    EXPECT_EQ(errors.total(), 1u);
}

TEST_F(validation, requests_left_when_the_server_closes_are_missing) {
    for (std::uint64_t seq = 0; seq < 5; ++seq) send(seq);
    EXPECT_EQ(reply(echo_of(payloads, 0)).kind, reply_kind::ok);
    v.abandon_missing(errors);
    EXPECT_EQ(errors.missing, 4u);
    EXPECT_EQ(v.in_flight_count(), 0u);
}

TEST_F(validation, requests_never_answered_in_order_are_timeouts) {
    send(0);
    send(1);
    v.abandon_timed_out(errors);
    EXPECT_EQ(errors.timeout, 2u);
    EXPECT_EQ(errors.missing, 0u);
}

TEST_F(validation, replies_split_across_reads_validate_through_the_line_splitter) {
    // The wire bytes of three replies, cut at every position into two reads.
    std::string wire;
    for (std::uint64_t seq = 0; seq < 3; ++seq) wire += echo_of(payloads, seq) + "\n";
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        v.clear();
        errors = {};
        for (std::uint64_t seq = 0; seq < 3; ++seq) send(seq);
        protocol::line_splitter splitter(64);
        int ok = 0;
        auto judge = [&](std::string_view line) {
            ok += reply(std::string(line)).kind == reply_kind::ok;
            return true;
        };
        splitter.feed(std::string_view(wire).substr(0, cut), judge);
        splitter.feed(std::string_view(wire).substr(cut), judge);
        EXPECT_EQ(ok, 3) << "cut at " << cut;
        EXPECT_EQ(errors.total(), 0u);
    }
}

TEST_F(validation, a_deep_pipeline_never_loses_order) {
    for (std::uint64_t seq = 0; seq < 5000; ++seq) send(seq);  // the FIFO grows as needed
    for (std::uint64_t seq = 0; seq < 5000; ++seq)
        ASSERT_EQ(reply(echo_of(payloads, seq)).kind, reply_kind::ok) << seq;
    EXPECT_EQ(errors.total(), 0u);
}

// A valid closed-loop configuration against a made-up port, changed one setting at a time.
load_config valid_config() {
    load_config c;
    c.target.port = 9;
    return c;
}

TEST(settings, impossible_settings_are_refused_as_usage_errors) {
    EXPECT_NO_THROW(check_load_config(valid_config()));
    auto refused = [](auto change) {
        load_config c = valid_config();
        change(c);
        EXPECT_THROW(check_load_config(c), usage_error);
        EXPECT_THROW(run_load(c), usage_error);
    };
    refused([](load_config& c) { c.connections = 0; });
    refused([](load_config& c) { c.pipeline = 0; });
    refused([](load_config& c) { c.duration = std::chrono::nanoseconds(0); });
    refused([](load_config& c) { c.timeout = std::chrono::nanoseconds(0); });
    refused([](load_config& c) { c.warmup = std::chrono::nanoseconds(-1); });
    refused([](load_config& c) { c.size = min_payload_size - 1; });
    refused([](load_config& c) { c.rate = -1; });
    refused([](load_config& c) { c.target.port = 0; });
}

TEST(settings, messages_name_the_setting) {
    load_config c = valid_config();
    c.size = 4;
    try {
        check_load_config(c);
        FAIL() << "size 4 accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("payload size 4"), std::string::npos) << e.what();
    }
}

TEST(settings, churn_needs_a_positive_connect_rate) {
    churn_config c;
    c.load = valid_config();
    EXPECT_NO_THROW(check_churn_config(c));
    c.connect_rate = 0;
    EXPECT_THROW(check_churn_config(c), usage_error);
    EXPECT_THROW(run_churn(c), usage_error);
}

// One default for the generator threads, whoever asks: half the cores, at most one per connection.
TEST(settings, generator_threads_default_to_half_the_cores) {
    load_config c = valid_config();
    c.connections = 1000;
    EXPECT_EQ(generator_threads(c), std::max(1u, std::thread::hardware_concurrency() / 2));
    c.connections = 1;
    EXPECT_EQ(generator_threads(c), 1u);
    c.threads = 3;
    c.connections = 8;
    EXPECT_EQ(generator_threads(c), 3u);
}

// Only usage_error means "the user asked for something impossible" (exit status 2); an
// invalid_argument from a broken internal invariant is a failure of the program, not bad usage.
TEST(settings, internal_invalid_arguments_are_not_usage_errors) {
    const auto kind = [](auto f) -> std::string {
        try {
            f();
        } catch (const usage_error&) {
            return "usage_error";
        } catch (const std::invalid_argument&) {
            return "invalid_argument";
        }
        return "nothing";
    };
    EXPECT_EQ(kind([] { open_schedule(100, 0, 0); }), "invalid_argument");
    EXPECT_EQ(kind([] { open_schedule(-5, 1, 0); }), "invalid_argument");
    EXPECT_EQ(kind([] { payload_builder(0, min_payload_size - 1); }), "usage_error");
    load_config c = valid_config();
    c.connections = 0;
    EXPECT_EQ(kind([&] { check_load_config(c); }), "usage_error");
}

}  // namespace
}  // namespace robotbench::loadgen
