// Payload text: fixed id and padding, sequence digits patched in per request.

#include "payload.hpp"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

#include "usage_error.hpp"

namespace robotbench::loadgen {

namespace {

constexpr std::size_t id_digits = 6;
constexpr std::size_t seq_offset = id_digits + 1;
constexpr std::size_t seq_digits = 9;
constexpr char hex[] = "0123456789abcdef";

void put_hex(char* dest, std::uint64_t value, std::size_t digits) noexcept {
    for (std::size_t i = digits; i-- > 0; value >>= 4) dest[i] = hex[value & 0xf];
}

}  // namespace

payload_builder::payload_builder(std::uint32_t connection_id, std::size_t size) {
    if (size < min_payload_size)
        throw usage_error(fmt::format(
            "payload size {} is below the minimum of {} bytes (connection id and sequence number)",
            size, min_payload_size));
    text_.resize(size);
    text_[id_digits] = '-';
    for (std::size_t i = min_payload_size; i < size; ++i) text_[i] = char('a' + i % 26);
    set_connection(connection_id);
    put_hex(text_.data() + seq_offset, 0, seq_digits);
}

void payload_builder::set_connection(std::uint32_t connection_id) noexcept {
    put_hex(text_.data(), connection_id, id_digits);
}

std::string_view payload_builder::payload(std::uint64_t seq) noexcept {
    put_hex(text_.data() + seq_offset, seq, seq_digits);
    return text_;
}

void payload_builder::write_request(char* dest, std::uint64_t seq) const noexcept {
    std::memcpy(dest, text_.data(), text_.size());
    put_hex(dest + seq_offset, seq, seq_digits);
    dest[text_.size()] = '\n';
}

}  // namespace robotbench::loadgen
