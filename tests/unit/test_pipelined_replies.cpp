// The generator's reply path on whole pipelined batches, as one read hands them over: every reply
// of a batch is still checked byte for byte, whatever its position in the batch and wherever the
// reads cut the stream; requests are written and expected without per-request formatting, and
// batched histogram recording gives the histogram one record() per value would.

#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "loadgen/connection.hpp"
#include "loadgen/histogram.hpp"
#include "loadgen/latency_batch.hpp"
#include "loadgen/out_buffer.hpp"
#include "loadgen/payload.hpp"
#include "protocol/reply.hpp"

namespace robotbench::loadgen {
namespace {

constexpr std::uint32_t connection_id = 0x2a;
constexpr std::size_t payload_size = 64;
constexpr std::size_t pipeline = 16;
constexpr std::int64_t sent_at = 1'000;
constexpr std::int64_t received_at = 5'000;

// payload.hpp's documented layout, written here on its own: 6 hex digits of the connection id,
// '-', 9 hex digits of the sequence number (mod 2^36), then 'a' + i % 26 at position i.
std::string reference_payload(std::uint32_t id, std::uint64_t seq, std::size_t size) {
    char head[17];
    std::snprintf(head, sizeof head, "%06" PRIx32 "-%09" PRIx64, id & 0xffffffu,
                  seq & 0xfffffffffU);
    std::string p(head, 16);
    for (std::size_t i = 16; i < size; ++i) p += char('a' + i % 26);
    return p;
}

// The server's correct reply line to request `seq`, LF included.
std::string reply_line(std::uint64_t seq) {
    return "====" + reference_payload(connection_id, seq, payload_size) + "====\n";
}

// One connection with a full pipelined batch in flight, and the verdicts its replies got.
struct batch_in_flight {
    client_connection conn{connection_id, payload_size, pipeline};
    error_counts errors;
    std::vector<reply_kind> verdicts;

    batch_in_flight() { conn.enqueue(pipeline, sent_at, sent_at); }

    // Hands `wire` to the connection as reads cut at `cuts`; false when the stream broke.
    bool receive(const std::string& wire, std::vector<std::size_t> cuts = {}) {
        cuts.push_back(wire.size());
        std::size_t from = 0;
        for (const std::size_t cut : cuts) {
            const bool ok = conn.judge(std::string_view(wire).substr(from, cut - from), received_at,
                                       errors, [&](const reply_verdict& v, std::int64_t at) {
                                           EXPECT_EQ(at, received_at);
                                           verdicts.push_back(v.kind);
                                       });
            if (!ok) return false;
            from = cut;
        }
        return true;
    }
};

// The correct replies to the whole batch, with reply `bad` changed by `change` (if any).
template <class Change>
std::string batch_wire(std::size_t bad, Change&& change) {
    std::string wire;
    for (std::uint64_t seq = 0; seq < pipeline; ++seq) {
        std::string line = reply_line(seq);
        if (seq == bad) change(line);
        wire += line;
    }
    return wire;
}

std::vector<reply_kind> expected_with_one_wrong(std::size_t bad) {
    std::vector<reply_kind> want(pipeline, reply_kind::ok);
    want[bad] = reply_kind::wrong;
    return want;
}

TEST(pipelined_replies, a_correct_batch_is_all_ok_with_its_send_times) {
    batch_in_flight b;
    std::vector<reply_verdict> got;
    ASSERT_TRUE(b.conn.judge(batch_wire(pipeline, [](std::string&) {}), received_at, b.errors,
                             [&](const reply_verdict& v, std::int64_t) { got.push_back(v); }));
    ASSERT_EQ(got.size(), pipeline);
    for (const auto& v : got) {
        EXPECT_EQ(v.kind, reply_kind::ok);
        EXPECT_EQ(v.intended_ns, sent_at);
        EXPECT_EQ(v.sent_ns, sent_at);
    }
    EXPECT_EQ(b.errors.total(), 0u);
    EXPECT_EQ(b.conn.validator().in_flight_count(), 0u);
}

TEST(pipelined_replies, one_wrong_byte_is_caught_at_every_position_of_every_reply_in_the_batch) {
    const std::size_t line_size = reply_line(0).size();
    for (std::size_t bad = 0; bad < pipeline; ++bad) {
        for (std::size_t at = 0; at + 1 < line_size; ++at) {  // the LF: next test
            // '~' is in no payload, so the changed reply is the echo of no request in flight.
            batch_in_flight b;
            ASSERT_TRUE(b.receive(batch_wire(bad, [&](std::string& line) { line[at] = '~'; })));
            EXPECT_EQ(b.verdicts, expected_with_one_wrong(bad))
                << "reply " << bad << " byte " << at;
            EXPECT_EQ(b.errors.wrong, 1u) << "reply " << bad << " byte " << at;
            EXPECT_EQ(b.errors.total(), 1u);
        }
    }
}

TEST(pipelined_replies, a_wrong_reply_is_caught_wherever_the_reads_cut_the_batch) {
    const std::size_t line_size = reply_line(0).size();
    // The first fence byte, a sequence digit, a padding letter, the last fence byte.
    for (const std::size_t at :
         {std::size_t{0}, std::size_t{4 + 15}, std::size_t{4 + 40}, line_size - 2}) {
        for (std::size_t bad = 0; bad < pipeline; ++bad) {
            const std::string wire = batch_wire(bad, [&](std::string& line) { line[at] = 'X'; });
            for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
                batch_in_flight b;
                ASSERT_TRUE(b.receive(wire, {cut}));
                ASSERT_EQ(b.verdicts, expected_with_one_wrong(bad))
                    << "reply " << bad << " byte " << at << " cut at " << cut;
                ASSERT_EQ(b.errors.total(), 1u);
            }
        }
    }
}

TEST(pipelined_replies, a_lost_line_end_breaks_the_stream_or_leaves_the_reply_unanswered) {
    for (std::size_t bad = 0; bad < pipeline; ++bad) {
        batch_in_flight b;
        const bool ok = b.receive(batch_wire(bad, [](std::string& line) { line.back() = 'x'; }));
        // Two replies run together are longer than any echo; the last one simply never ends.
        EXPECT_EQ(ok, bad + 1 == pipeline) << "reply " << bad;
        EXPECT_EQ(b.verdicts, std::vector<reply_kind>(bad, reply_kind::ok)) << "reply " << bad;
        EXPECT_EQ(b.conn.validator().in_flight_count(), pipeline - bad);
    }
}

TEST(pipelined_replies, a_short_long_or_cr_ended_reply_is_judged_like_any_other_line) {
    for (std::size_t bad = 0; bad < pipeline; ++bad) {
        batch_in_flight shorter;
        ASSERT_TRUE(shorter.receive(batch_wire(bad, [](std::string& l) { l.erase(5, 1); })));
        EXPECT_EQ(shorter.verdicts, expected_with_one_wrong(bad));
        batch_in_flight longer;
        ASSERT_TRUE(longer.receive(batch_wire(bad, [](std::string& l) { l.insert(5, "a"); })));
        EXPECT_EQ(longer.verdicts, expected_with_one_wrong(bad));
        // CR LF ends a line as LF does (protocol.md), so the reply is right.
        batch_in_flight crlf;
        ASSERT_TRUE(
            crlf.receive(batch_wire(bad, [](std::string& l) { l.insert(l.size() - 1, "\r"); })));
        EXPECT_EQ(crlf.verdicts, std::vector<reply_kind>(pipeline, reply_kind::ok));
        EXPECT_EQ(crlf.errors.total(), 0u);
    }
}

TEST(pipelined_replies, two_swapped_replies_count_one_reordered_at_every_position) {
    for (std::size_t first = 0; first + 1 < pipeline; ++first) {
        std::string wire;
        for (std::uint64_t seq = 0; seq < pipeline; ++seq)
            wire += reply_line(seq == first ? first + 1 : seq == first + 1 ? first : seq);
        batch_in_flight b;
        ASSERT_TRUE(b.receive(wire));
        std::vector<reply_kind> want(pipeline, reply_kind::ok);
        want[first] = reply_kind::early;
        want[first + 1] = reply_kind::late;
        EXPECT_EQ(b.verdicts, want) << "swap at " << first;
        EXPECT_EQ(b.errors.reordered, 1u);
        EXPECT_EQ(b.errors.total(), 1u);
    }
}

TEST(payload_text, a_batch_of_requests_is_the_documented_requests_in_order) {
    payload_builder p(connection_id, payload_size);
    std::string written((pipeline + 3) * p.request_size(), '?');
    p.write_requests(written.data(), 0, pipeline);
    p.write_request(written.data() + pipeline * p.request_size(), pipeline);
    p.payload(0);  // validation looks elsewhere in between
    p.write_requests(written.data() + (pipeline + 1) * p.request_size(), pipeline + 1, 2);
    std::string want;
    for (std::uint64_t seq = 0; seq < pipeline + 3; ++seq)
        want += reference_payload(connection_id, seq, payload_size) + "\n";
    EXPECT_EQ(written, want);
}

TEST(payload_text, advancing_in_place_gives_the_same_text_as_formatting_for_any_order) {
    payload_builder p(0xabcdef, 40);
    std::mt19937_64 rng(7);
    std::uint64_t seq = 0xffffffff0;  // through a carry over every digit and the 2^36 wrap
    for (int i = 0; i < 20000; ++i) {
        const std::uint64_t step = rng() % 8 == 0 ? rng() : 1;  // mostly the next one
        seq += step;
        ASSERT_EQ(p.payload(seq), reference_payload(0xabcdef, seq, 40)) << std::hex << seq;
        const std::string echo = "====" + reference_payload(0xabcdef, seq, 40) + "====";
        ASSERT_TRUE(p.is_echo(echo, seq));
        ASSERT_TRUE(p.is_reply_line(echo + "\n", seq));
        ASSERT_FALSE(p.is_reply_line(echo, seq));
        ASSERT_FALSE(p.is_echo(echo, seq + 1));
    }
}

TEST(payload_text, is_echo_judges_as_the_protocol_does) {
    payload_builder p(5, 20);
    const std::string payload = reference_payload(5, 9, 20);
    const std::string good = "====" + payload + "====";
    std::vector<std::string> lines{good,
                                   good + "=",
                                   good.substr(1),
                                   "",
                                   "========",
                                   "====" + payload + "===",
                                   "=== " + payload + "===="};
    for (std::size_t at = 0; at < good.size(); ++at) {
        std::string bad = good;
        bad[at] ^= 0x20;
        lines.push_back(bad);
    }
    for (const auto& line : lines)
        EXPECT_EQ(p.is_echo(line, 9), protocol::is_echo_of(line, payload)) << line;
}

TEST(payload_text, a_new_connection_id_changes_requests_and_expected_replies) {
    payload_builder p(1, 32);
    p.payload(3);
    p.set_connection(0x123456);
    EXPECT_EQ(p.payload(4), reference_payload(0x123456, 4, 32));
    EXPECT_TRUE(p.is_echo("====" + reference_payload(0x123456, 4, 32) + "====", 4));
    EXPECT_FALSE(p.is_echo("====" + reference_payload(1, 4, 32) + "====", 4));
}

TEST(send_buffer, keeps_unsent_bytes_in_order_across_partial_sends_and_growth) {
    out_buffer out;
    out.reserve(8);
    std::string expected;
    char next = 'a';
    std::mt19937 rng(3);
    for (int i = 0; i < 2000; ++i) {
        const std::size_t n = 1 + rng() % 13;
        char* at = out.append(n);
        for (std::size_t k = 0; k < n; ++k, next = next == 'z' ? 'a' : char(next + 1)) {
            at[k] = next;
            expected += next;
        }
        const auto pending = out.pending();
        ASSERT_EQ(std::string(pending.data(), pending.size()), expected);
        const std::size_t sent = rng() % (pending.size() + 1);
        out.consume(sent);
        expected.erase(0, sent);
        ASSERT_EQ(out.empty(), expected.empty());
    }
}

TEST(batched_recording, gives_the_histogram_that_one_record_per_value_gives) {
    std::mt19937_64 rng(11);
    histogram one_by_one, batched;
    {
        latency_batch batch(batched);
        for (int run = 0; run < 3000; ++run) {
            // Runs of equal values, some out of range (clamped), as pipelined replies give.
            const std::uint64_t v = rng() % 10 == 0 ? rng() % 900 : 1'000 + rng() % 50'000'000;
            for (std::uint64_t n = 1 + rng() % 20; n > 0; --n) {
                one_by_one.record(v);
                batch.add(v);
            }
        }
        batch.flush();
    }
    EXPECT_EQ(batched.count(), one_by_one.count());
    EXPECT_EQ(batched.clamped(), one_by_one.clamped());
    EXPECT_EQ(batched.min(), one_by_one.min());
    EXPECT_EQ(batched.max(), one_by_one.max());
    EXPECT_NEAR(batched.mean(), one_by_one.mean(), 1e-9 * one_by_one.mean());
    for (const double p : {0.0, 1.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0})
        EXPECT_EQ(batched.value_at_percentile(p), one_by_one.value_at_percentile(p)) << p;
}

TEST(batched_recording, nothing_is_recorded_until_flushed_and_nothing_twice) {
    histogram h;
    latency_batch batch(h);
    batch.add(5'000);
    batch.add(5'000);
    EXPECT_EQ(h.count(), 0u);
    batch.flush();
    batch.flush();
    EXPECT_EQ(h.count(), 2u);
    batch.add(7'000);
    batch.add(5'000);  // a new value records the run before it
    EXPECT_EQ(h.count(), 3u);
    batch.flush();
    EXPECT_EQ(h.count(), 4u);
}

}  // namespace
}  // namespace robotbench::loadgen
