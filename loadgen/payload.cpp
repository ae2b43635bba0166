// Payload text: fixed id and padding, sequence digits advanced in place per request.

#include "payload.hpp"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

#include "protocol/reply.hpp"
#include "usage_error.hpp"

namespace robotbench::loadgen {

namespace {

constexpr std::size_t id_digits = 6;
constexpr std::size_t seq_offset = id_digits + 1;
constexpr std::size_t seq_digits = 9;
constexpr std::uint64_t seq_mask = (std::uint64_t{1} << (4 * seq_digits)) - 1;
constexpr char hex[] = "0123456789abcdef";

void put_hex(char* dest, std::uint64_t value, std::size_t digits) noexcept {
    for (std::size_t i = digits; i-- > 0; value >>= 4) dest[i] = hex[value & 0xf];
}

// Adds one to the lower-case hex number in digits[0, n), wrapping to zero after all 'f'.
void increment_hex(char* digits, std::size_t n) noexcept {
    for (std::size_t i = n; i-- > 0;) {
        char& c = digits[i];
        if (c == 'f') {
            c = '0';
            continue;
        }
        c = c == '9' ? 'a' : char(c + 1);
        return;
    }
}

}  // namespace

void payload_builder::numbered_text::show(std::uint64_t wanted) noexcept {
    wanted &= seq_mask;
    if (wanted == seq) return;
    if (wanted == ((seq + 1) & seq_mask))
        increment_hex(text.data() + digits, seq_digits);
    else
        put_hex(text.data() + digits, wanted, seq_digits);
    seq = wanted;
}

payload_builder::payload_builder(std::uint32_t connection_id, std::size_t size) {
    if (size < min_payload_size)
        throw usage_error(fmt::format(
            "payload size {} is below the minimum of {} bytes (connection id and sequence number)",
            size, min_payload_size));
    std::string payload(size, '\0');
    payload[id_digits] = '-';
    for (std::size_t i = min_payload_size; i < size; ++i) payload[i] = char('a' + i % 26);
    put_hex(payload.data() + seq_offset, 0, seq_digits);
    request_.text = payload + '\n';
    request_.digits = seq_offset;
    const auto fence = protocol::fence;
    reply_.text = std::string(fence) + payload + std::string(fence) + '\n';
    reply_.digits = fence.size() + seq_offset;
    set_connection(connection_id);
}

void payload_builder::set_connection(std::uint32_t connection_id) noexcept {
    put_hex(request_.text.data(), connection_id, id_digits);
    put_hex(reply_.text.data() + (reply_.digits - seq_offset), connection_id, id_digits);
}

std::string_view payload_builder::payload(std::uint64_t seq) noexcept {
    request_.show(seq);
    return std::string_view(request_.text).substr(0, size());
}

void payload_builder::write_requests(char* dest, std::uint64_t first_seq, std::size_t n) noexcept {
    const std::size_t bytes = request_.text.size();
    for (std::size_t k = 0; k < n; ++k, dest += bytes) {
        request_.show(first_seq + k);
        std::memcpy(dest, request_.text.data(), bytes);
    }
}

}  // namespace robotbench::loadgen
