// Fuzz target `online_reply`: the `/online` answer parser (protocol::parse_online_reply) against
// a reference written here on its own from docs/protocol.md: `online `, then the count in
// decimal ASCII digits with no sign, padding or leading zeros, and a value that fits in a signed
// 64-bit integer. Every other line is not a count. And every count the server codec answers
// `/online` with parses back to itself.
//
// Input: the whole input is the reply line (without its LF); its first 8 bytes are also the
// count given to the codec.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "protocol/reply.hpp"
#include "protocol/session.hpp"

namespace {

using robotbench::fuzz::require;

std::optional<std::int64_t> reference(std::string_view line) {
    const std::string_view prefix = "online ";
    if (line.size() < prefix.size() || line.substr(0, prefix.size()) != prefix) return {};
    const std::string_view digits = line.substr(prefix.size());
    if (digits.empty()) return {};
    for (const char c : digits)
        if (c < '0' || c > '9') return {};
    if (digits.size() > 1 && digits[0] == '0') return {};
    const std::string_view largest = "9223372036854775807";  // 2^63 - 1
    if (digits.size() > largest.size() || (digits.size() == largest.size() && digits > largest))
        return {};
    std::int64_t n = 0;
    for (const char c : digits) n = n * 10 + (c - '0');
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    require(robotbench::protocol::parse_online_reply(line) == reference(line),
            "parse_online_reply() agrees with docs/protocol.md");

    robotbench::fuzz::input_reader in(data, size);
    const auto count = static_cast<std::int64_t>(in.number(8) >> 1);
    robotbench::protocol::session s;
    s.on_input(std::string_view("/online\n"), count);
    const auto out = s.output();
    require(!out.empty() && out.back() == '\n', "the codec's answer is one line");
    const std::string_view answer(out.data(), out.size() - 1);
    require(reference(answer) == count, "the codec's answer is the count, as the protocol says");
    require(robotbench::protocol::parse_online_reply(answer) == count,
            "the codec's answer parses back to its count");
    return 0;
}
