#pragma once
// Unique request payloads: every request carries its connection id and sequence number, padded
// to the configured size, so each reply can be matched to exactly one request.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace robotbench::loadgen {

// Layout: 6 hex digits of connection id, '-', 9 hex digits of sequence number, then padding
// letters that depend on their position (so a shifted or corrupted byte anywhere shows).
// Ids wrap at 2^24 and sequence numbers at 2^36; both only need to be unique among the requests
// in flight on one connection.
constexpr std::size_t min_payload_size = 16;

// Builds the payloads of one connection, and the reply lines expected for them. The request and
// the expected reply are each kept as a whole text whose sequence digits are advanced by one in
// place (usually one byte changes), so nothing is formatted per request. Not thread-safe; owned
// by the connection's thread.
class payload_builder {
  public:
    // Throws usage_error when size < min_payload_size.
    payload_builder(std::uint32_t connection_id, std::size_t size);

    // The payload of request `seq` (without LF). Valid until the next call on this builder.
    std::string_view payload(std::uint64_t seq) noexcept;

    // Writes payload(seq) followed by LF into `dest`, which has room for request_size() bytes.
    void write_request(char* dest, std::uint64_t seq) noexcept { write_requests(dest, seq, 1); }
    // Writes the requests first_seq, first_seq + 1, ... (n of them) back to back into `dest`,
    // which has room for n * request_size() bytes.
    void write_requests(char* dest, std::uint64_t first_seq, std::size_t n) noexcept;

    // True when `line` (without its LF) is exactly the echo of payload(seq), `====payload====`:
    // the same judgement as protocol::is_echo_of, in one comparison.
    bool is_echo(std::string_view line, std::uint64_t seq) noexcept {
        return line == reply_line(seq).substr(0, reply_.text.size() - 1);
    }
    // True when `bytes` is exactly the reply line to request `seq`, its LF included.
    bool is_reply_line(std::string_view bytes, std::uint64_t seq) noexcept {
        return bytes == reply_line(seq);
    }

    // Starts over as another connection (churn reuses builders).
    void set_connection(std::uint32_t connection_id) noexcept;

    std::size_t size() const noexcept { return request_.text.size() - 1; }
    std::size_t request_size() const noexcept { return request_.text.size(); }
    // The bytes of the reply line to one request, LF included.
    std::size_t reply_size() const noexcept { return reply_.text.size(); }

  private:
    // A text holding one payload, whose sequence digits (at `digits`) spell `seq`.
    struct numbered_text {
        std::string text;
        std::size_t digits = 0;
        std::uint64_t seq = 0;
        // Makes the digits spell `seq`: one increment in place when it follows the current one.
        void show(std::uint64_t seq) noexcept;
    };

    // The expected reply line to request `seq`, LF included. Valid until the next call.
    std::string_view reply_line(std::uint64_t seq) noexcept {
        reply_.show(seq);
        return reply_.text;
    }

    numbered_text request_;  // payload and LF
    numbered_text reply_;    // fence, payload, fence and LF
};

}  // namespace robotbench::loadgen
