#include "session.hpp"

#include <charconv>
#include <cstring>

namespace robotbench::protocol {

namespace {
// Output capacity kept across a full drain; a larger buffer is released so idle clients stay small.
constexpr std::size_t retained_output_capacity = 256 * 1024;
// Sent bytes at the front of the output buffer worth moving the rest down for.
constexpr std::size_t compact_threshold = 64 * 1024;
}  // namespace

session::session(const session_limits& limits)
    : limits_(limits), splitter_(limits.max_line) {}

std::size_t session::on_input(std::span<const char> data, std::int64_t online) {
    if (closing_) return 0;
    std::size_t lines = 0;
    const auto status = splitter_.feed(data, [&](std::string_view payload) {
        ++lines;
        return handle_line(payload, online);
    });
    if (status == split_status::too_long) {
        append(too_long_reply);
        closing_ = true;
    }
    return lines;
}

bool session::handle_line(std::string_view payload, std::int64_t online) {
    if (payload == online_command) {
        char digits[24];
        auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), online);
        append(online_prefix);
        append({digits, static_cast<std::size_t>(end - digits)});
        append("\n");
        return true;
    }
    if (payload == quit_command) {
        append(bye_reply);
        closing_ = true;
        return false;
    }
    const std::size_t at = out_.size();
    out_.resize(at + echo_reply_size(payload.size()));
    char* p = out_.data() + at;
    std::memcpy(p, fence.data(), fence.size());
    p += fence.size();
    if (!payload.empty()) std::memcpy(p, payload.data(), payload.size());
    p += payload.size();
    std::memcpy(p, fence.data(), fence.size());
    p[fence.size()] = '\n';
    return true;
}

void session::on_eof() {
    splitter_.clear();
    closing_ = true;
}

void session::consume(std::size_t n) {
    out_pos_ += n;
    if (out_pos_ < out_.size()) {
        // A reader that keeps up only partly never drains fully: drop the sent prefix once it is
        // at least half the buffer, so the buffer stays bounded (amortised O(1) per byte).
        if (out_pos_ >= compact_threshold && 2 * out_pos_ >= out_.size()) {
            out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_pos_));
            out_pos_ = 0;
        }
        return;
    }
    out_.clear();
    out_pos_ = 0;
    if (out_.capacity() > retained_output_capacity) out_.shrink_to_fit();
}

void session::append(std::string_view bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }

}  // namespace robotbench::protocol
