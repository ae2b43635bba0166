// Fuzz target `validator`: the load generator's reply validator (loadgen::reply_validator) and
// its payloads (loadgen::payload_builder), against a reference model written here on its own
// from what validator.hpp and payload.hpp promise. The input plays a connection: requests are
// sent, and reply lines come back that are the exact echo of a request in flight, an echo with
// a byte changed, added or removed, the echo of a request not in flight, or any bytes at all.
// The validator must accept exactly the echo of a request in flight, judge it ok, early or late
// as the rules say, count every other line as wrong, count errors by kind as the model does,
// and never crash.
//
// Input: bytes 0..2 the connection id, byte 3 the payload size (16..79), bytes 4..11 the first
// sequence number, byte 12 the ring's starting capacity; then operations, one byte each
// (low 3 bits the kind) with the bytes they take.

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "loadgen/payload.hpp"
#include "loadgen/validator.hpp"

namespace {

using robotbench::fuzz::input_reader;
using robotbench::fuzz::require;
using namespace robotbench::loadgen;

// payload.hpp's layout: 6 hex digits of the connection id (mod 2^24), '-', 9 hex digits of the
// sequence number (mod 2^36), then at position i the letter 'a' + i % 26.
std::string reference_payload(std::uint32_t id, std::uint64_t seq, std::size_t size) {
    char head[17];
    std::snprintf(head, sizeof head, "%06" PRIx32 "-%09" PRIx64, id & 0xffffffu,
                  static_cast<std::uint64_t>(seq & 0xfffffffffU));
    std::string p(head, 16);
    for (std::size_t i = 16; i < size; ++i) p += static_cast<char>('a' + i % 26);
    return p;
}

std::string echo(std::string_view payload) {
    return "====" + std::string(payload) + "====";
}

// The validator's rules, kept as plainly as possible: a list of the requests in flight.
class model {
  public:
    struct request {
        std::uint64_t seq;
        std::int64_t intended_ns, sent_ns;
        bool overtaken;
        std::string echo;  // the one correct reply line
    };

    void sent(std::uint64_t seq, std::int64_t intended, std::int64_t at, std::string echo) {
        flight_.push_back({seq, intended, at, false, std::move(echo)});
    }

    // The kind the validator must give `line`, and the request it answers (ok, early, late).
    reply_kind judge(std::string_view line, request& answered) {
        for (std::size_t i = 0; i < flight_.size(); ++i) {
            if (line != flight_[i].echo) continue;
            answered = flight_[i];
            for (std::size_t j = 0; j < i; ++j) flight_[j].overtaken = true;
            flight_.erase(flight_.begin() + static_cast<std::ptrdiff_t>(i));
            if (answered.overtaken) {
                ++errors.reordered;
                return reply_kind::late;
            }
            return i == 0 ? reply_kind::ok : reply_kind::early;
        }
        ++errors.wrong;  // it stands for the oldest request, which is given up
        if (!flight_.empty()) flight_.pop_front();
        return reply_kind::wrong;
    }

    void abandon_missing() {
        errors.missing += flight_.size();
        flight_.clear();
    }
    void abandon_timed_out() {
        for (const auto& r : flight_) ++(r.overtaken ? errors.missing : errors.timeout);
        flight_.clear();
    }

    std::size_t awaited() const {
        std::size_t n = 0;
        for (const auto& r : flight_) n += r.overtaken ? 0 : 1;
        return n;
    }
    const std::deque<request>& flight() const { return flight_; }

    error_counts errors;

  private:
    std::deque<request> flight_;
};

bool same(const error_counts& a, const error_counts& b) {
    return a.connect == b.connect && a.reset == b.reset && a.closed == b.closed &&
           a.timeout == b.timeout && a.wrong == b.wrong && a.reordered == b.reordered &&
           a.missing == b.missing;
}

// `line` with one change the input picks.
std::string mutated(std::string line, input_reader& in) {
    const auto how = in.byte() % 5;
    const std::size_t at = line.empty() ? 0 : in.byte() % line.size();
    const char c = static_cast<char>(in.byte());
    switch (how) {
        case 0:  // one bit flipped
            if (!line.empty()) line[at] = static_cast<char>(line[at] ^ (1 << (c & 7)));
            break;
        case 1:  // one byte replaced
            if (!line.empty()) line[at] = c;
            break;
        case 2:  // one byte more
            line.insert(line.begin() + static_cast<std::ptrdiff_t>(at), c);
            break;
        case 3:  // one byte less
            if (!line.empty()) line.erase(at, 1);
            break;
        case 4:  // cut short
            line.resize(at);
            break;
    }
    return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    input_reader in(data, size);
    auto id = static_cast<std::uint32_t>(in.number(3));
    const std::size_t payload_size = min_payload_size + in.byte() % 64;
    std::uint64_t next_seq = in.number(8);
    const std::size_t capacity = 1 + in.byte() % 32;

    payload_builder payloads(id, payload_size);
    reply_validator v(capacity);
    error_counts errors;
    model m;
    std::int64_t clock_ns = 0;

    while (!in.empty()) {
        const auto op = in.byte();
        switch (op & 7) {
            case 0:
            case 1: {  // a request is sent
                const std::string want = reference_payload(id, next_seq, payload_size);
                require(payloads.payload(next_seq) == want, "payload() follows payload.hpp");
                std::string request(payloads.request_size(), '?');
                payloads.write_request(request.data(), next_seq);
                require(request == want + "\n", "write_request() is the payload and an LF");
                const std::int64_t intended = clock_ns += in.byte();
                const std::int64_t at = clock_ns += in.byte();
                v.sent(next_seq, intended, at);
                m.sent(next_seq, intended, at, echo(want));
                // Unique among those in flight, as a connection's are.
                next_seq += 1 + (op >> 3) % 4;
                break;
            }
            case 2:
            case 3:
            case 4:
            case 5: {  // a reply line comes
                std::string line;
                const auto& flight = m.flight();
                const auto pick = flight.empty() ? 0 : in.byte() % flight.size();
                if ((op & 7) == 2 && !flight.empty())  // the echo of a request in flight
                    line = flight[pick].echo;
                else if ((op & 7) == 3 && !flight.empty())  // that echo, changed
                    line = mutated(flight[pick].echo, in);
                else if ((op & 7) == 4)  // the echo of a recent sequence number, in flight or not
                    line = echo(reference_payload(id, next_seq - in.byte(), payload_size));
                else  // any bytes
                    line = std::string(in.bytes(in.byte() % 128));
                model::request answered{};
                const auto want = m.judge(line, answered);
                const auto got = v.on_reply(line, payloads, errors);
                require(got.kind == want, "the reply's kind is the model's");
                if (want != reply_kind::wrong)
                    require(
                        got.intended_ns == answered.intended_ns && got.sent_ns == answered.sent_ns,
                        "the verdict carries the times of the request it answers");
                break;
            }
            case 6:  // the connection ends: closed by the server, or given up after a timeout
                if (op & 8) {
                    v.abandon_missing(errors);
                    m.abandon_missing();
                } else {
                    v.abandon_timed_out(errors);
                    m.abandon_timed_out();
                }
                break;
            case 7:  // churn: the connection is done and the builder serves a new one
                v.abandon_missing(errors);
                m.abandon_missing();
                id = static_cast<std::uint32_t>(in.number(3));
                payloads.set_connection(id);
                break;
        }
        require(same(errors, m.errors), "errors are counted as the model counts them");
        require(v.in_flight_count() == m.flight().size(), "in_flight_count() is the model's");
        require(v.awaited() == m.awaited(), "awaited() is the model's");
        const in_flight* oldest = v.oldest();
        require((oldest == nullptr) == m.flight().empty(), "oldest() is there when one is");
        if (oldest) require(oldest->seq == m.flight().front().seq, "oldest() is the model's");
    }
    return 0;
}
