#pragma once
// The robot protocol's reply texts, written once for servers (which produce them) and the load
// generator (which checks them). See docs/protocol.md.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace robotbench::protocol {

constexpr std::string_view fence = "====";
constexpr std::string_view online_command = "/online";
constexpr std::string_view quit_command = "/quit";
constexpr std::string_view online_prefix = "online ";
constexpr std::string_view bye_reply = "bye\n";
constexpr std::string_view too_long_reply = "!ERR line too long\n";
constexpr std::string_view server_full_reply = "!ERR server full\n";
constexpr std::string_view idle_timeout_reply = "!ERR idle timeout\n";

constexpr std::size_t default_max_line = 4096;
constexpr std::size_t default_max_output = 1 << 20;

// The size of the reply line (LF included) that echoes a payload of `payload_size` bytes.
constexpr std::size_t echo_reply_size(std::size_t payload_size) {
    return payload_size + 2 * fence.size() + 1;
}

// True when `line` (without its LF) is exactly the echo of `payload`.
constexpr bool is_echo_of(std::string_view line, std::string_view payload) {
    return line.size() == payload.size() + 2 * fence.size() && line.starts_with(fence) &&
           line.ends_with(fence) && line.substr(fence.size(), payload.size()) == payload;
}

// Parses the count out of an `/online` reply line (without its LF): `online `, then the count in
// decimal ASCII digits with no sign, padding or leading zeros, that fits in 64 bits. nullopt for
// any other line, a sign, a space, a byte that is not a digit, or a count too large.
inline std::optional<std::int64_t> parse_online_reply(std::string_view line) {
    if (!line.starts_with(online_prefix)) return std::nullopt;
    const auto digits = line.substr(online_prefix.size());
    if (digits.empty() || (digits.size() > 1 && digits.front() == '0')) return std::nullopt;
    for (const char c : digits)
        if (c < '0' || c > '9') return std::nullopt;  // from_chars alone would take a '-'
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    // Digits only, so what from_chars refuses now is a count too large for 64 bits.
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return n;
}

}  // namespace robotbench::protocol
