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

// Builds the payloads of one connection. Not thread-safe; owned by the connection's thread.
class payload_builder {
  public:
    // Throws usage_error when size < min_payload_size.
    payload_builder(std::uint32_t connection_id, std::size_t size);

    // The payload of request `seq` (without LF). Valid until the next call on this builder.
    std::string_view payload(std::uint64_t seq) noexcept;

    // Writes payload(seq) followed by LF into `dest`, which has room for request_size() bytes.
    void write_request(char* dest, std::uint64_t seq) const noexcept;

    // Starts over as another connection (churn reuses builders).
    void set_connection(std::uint32_t connection_id) noexcept;

    std::size_t size() const noexcept { return text_.size(); }
    std::size_t request_size() const noexcept { return text_.size() + 1; }

  private:
    std::string text_;  // the current payload; the sequence digits are rewritten per call
};

}  // namespace robotbench::loadgen
