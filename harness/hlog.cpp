// HdrHistogram's V2 compressed encoding and interval log, written by hand over zlib.

#include "hlog.hpp"

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <zlib.h>

#include <array>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "text_file.hpp"

namespace robotbench {

namespace {

constexpr std::uint32_t v2_cookie = 0x1c849303 | 0x10;             // V2, LEB128 counts
constexpr std::uint32_t v2_compressed_cookie = 0x1c849304 | 0x10;  // the same, deflated
constexpr std::size_t v2_header_bytes = 40;
constexpr double ns_per_ms = 1e6;  // Interval_Max in ms, as HdrHistogram's log writer does

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::uint8_t(v >> shift));
}
void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(std::uint8_t(v >> shift));
}
std::uint64_t get_be(const std::uint8_t* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
    return v;
}

// HdrHistogram's ZigZag LEB128: seven bits a byte for the first eight bytes, all eight in a
// ninth.
void put_zigzag(std::vector<std::uint8_t>& out, std::int64_t signed_value) {
    std::uint64_t v = (std::uint64_t(signed_value) << 1) ^ std::uint64_t(signed_value >> 63);
    for (int i = 0; i < 8; ++i) {
        if (v < 0x80) {
            out.push_back(std::uint8_t(v));
            return;
        }
        out.push_back(std::uint8_t((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(std::uint8_t(v));
}
// Reads one number at `pos`; nullopt when the bytes end first.
std::optional<std::int64_t> get_zigzag(const std::vector<std::uint8_t>& in, std::size_t& pos) {
    std::uint64_t v = 0;
    for (int i = 0; i < 9; ++i) {
        if (pos >= in.size()) return std::nullopt;
        const std::uint8_t b = in[pos++];
        if (i == 8) {
            v |= std::uint64_t(b) << 56;
            break;
        }
        v |= std::uint64_t(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) break;
    }
    return std::int64_t(v >> 1) ^ -std::int64_t(v & 1);
}

constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Seconds since the epoch, to the millisecond, as the log's header and lines write them.
double epoch_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

std::vector<std::uint8_t> encode_v2(const loadgen::histogram_snapshot& h) {
    std::vector<std::uint8_t> payload;
    std::size_t next = 0;  // the counts index the payload has reached
    for (const auto& [index, count] : h.counts) {
        const std::size_t zeros = index - next;
        if (zeros == 1) put_zigzag(payload, 0);
        if (zeros > 1) put_zigzag(payload, -std::int64_t(zeros));
        put_zigzag(payload, std::int64_t(count));
        next = std::size_t(index) + 1;
    }
    std::vector<std::uint8_t> out;
    out.reserve(v2_header_bytes + payload.size());
    put_u32(out, v2_cookie);
    put_u32(out, std::uint32_t(payload.size()));
    put_u32(out, 0);  // normalizing index offset
    put_u32(out, std::uint32_t(hlog_significant_digits));
    put_u64(out, std::uint64_t(hlog_lowest_discernible));
    put_u64(out, std::uint64_t(hlog_highest_trackable));
    put_u64(out, std::bit_cast<std::uint64_t>(1.0));  // integer to double conversion ratio
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

std::string encode_compressed_base64(const loadgen::histogram_snapshot& h) {
    const auto plain = encode_v2(h);
    uLongf deflated_size = compressBound(uLong(plain.size()));
    std::vector<std::uint8_t> out;
    put_u32(out, v2_compressed_cookie);
    put_u32(out, 0);  // the deflated length, filled in below
    out.resize(8 + deflated_size);
    if (compress2(out.data() + 8, &deflated_size, plain.data(), uLong(plain.size()),
                  Z_DEFAULT_COMPRESSION) != Z_OK)
        throw std::runtime_error("zlib could not compress a histogram");
    out.resize(8 + deflated_size);
    for (int i = 0; i < 4; ++i) out[4 + i] = std::uint8_t(deflated_size >> (24 - 8 * i));
    return base64_encode(out);
}

std::optional<decoded_histogram> decode_compressed_base64(std::string_view text) {
    const auto bytes = base64_decode(text);
    if (!bytes || bytes->size() < 8 || get_be(bytes->data(), 4) != v2_compressed_cookie)
        return std::nullopt;
    const std::size_t deflated = get_be(bytes->data() + 4, 4);
    if (bytes->size() < 8 + deflated) return std::nullopt;
    z_stream z{};
    if (inflateInit(&z) != Z_OK) return std::nullopt;
    std::vector<std::uint8_t> plain;
    z.next_in = const_cast<Bytef*>(bytes->data() + 8);
    z.avail_in = uInt(deflated);
    std::array<std::uint8_t, 16384> chunk{};
    int status = Z_OK;
    while (status == Z_OK) {
        z.next_out = chunk.data();
        z.avail_out = uInt(chunk.size());
        status = inflate(&z, Z_NO_FLUSH);
        plain.insert(plain.end(), chunk.data(), chunk.data() + (chunk.size() - z.avail_out));
    }
    inflateEnd(&z);
    if (status != Z_STREAM_END || plain.size() < v2_header_bytes ||
        get_be(plain.data(), 4) != v2_cookie)
        return std::nullopt;
    decoded_histogram d;
    const std::size_t payload = get_be(plain.data() + 4, 4);
    if (plain.size() != v2_header_bytes + payload) return std::nullopt;
    d.significant_digits = int(get_be(plain.data() + 12, 4));
    d.lowest_discernible = std::int64_t(get_be(plain.data() + 16, 8));
    d.highest_trackable = std::int64_t(get_be(plain.data() + 24, 8));
    d.conversion_ratio = std::bit_cast<double>(get_be(plain.data() + 32, 8));
    std::size_t pos = v2_header_bytes;
    while (pos < plain.size()) {
        const auto v = get_zigzag(plain, pos);
        if (!v) return std::nullopt;
        if (*v < 0)
            d.counts.resize(d.counts.size() + std::size_t(-*v), 0);
        else
            d.counts.push_back(std::uint64_t(*v));
    }
    return d;
}

std::string base64_encode(const std::vector<std::uint8_t>& bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        std::uint32_t group = std::uint32_t(bytes[i]) << 16;
        if (n > 1) group |= std::uint32_t(bytes[i + 1]) << 8;
        if (n > 2) group |= bytes[i + 2];
        for (std::size_t k = 0; k < 4; ++k)
            out += k <= n ? base64_alphabet[(group >> (18 - 6 * k)) & 0x3f] : '=';
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        std::uint32_t group = 0;
        int padding = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const char c = text[i + k];
            std::uint32_t v = 0;
            if (c == '=' && i + 4 == text.size() && k >= 2) {
                ++padding;
            } else {
                const auto at = base64_alphabet.find(c);
                if (at == std::string_view::npos || padding > 0) return std::nullopt;
                v = std::uint32_t(at);
            }
            group = (group << 6) | v;
        }
        out.push_back(std::uint8_t(group >> 16));
        if (padding < 2) out.push_back(std::uint8_t(group >> 8));
        if (padding < 1) out.push_back(std::uint8_t(group));
    }
    return out;
}

std::string hlog_text(const std::vector<loadgen::interval_result>& intervals,
                      std::chrono::system_clock::time_point start, std::string_view comment) {
    const double start_s = epoch_seconds(start);
    const std::time_t start_t = std::chrono::system_clock::to_time_t(start);
    std::string out;
    if (!comment.empty()) out += fmt::format("#[{}]\n", comment);
    out += "#[Histogram log format version 1.3]\n";
    out += fmt::format("#[StartTime: {:.3f} (seconds since epoch), {:%a %b %d %H:%M:%S UTC %Y}]\n",
                       start_s, fmt::gmtime(start_t));
    out += fmt::format("#[BaseTime: {:.3f} (seconds since epoch)]\n", start_s);
    out +=
        "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
        "\"Interval_Compressed_Histogram\"\n";
    for (const auto& i : intervals) {
        const double max_ms = i.latency.count ? double(i.latency.max) / ns_per_ms : 0.0;
        out +=
            fmt::format("{:.3f},{:.3f},{:.3f},{}\n", std::chrono::duration<double>(i.begin).count(),
                        std::chrono::duration<double>(i.length).count(), max_ms,
                        encode_compressed_base64(i.latency));
    }
    return out;
}

void write_hlog(const std::string& path, const std::vector<loadgen::interval_result>& intervals,
                std::chrono::system_clock::time_point start, std::string_view comment) {
    write_text_file(path, hlog_text(intervals, start, comment));
}

}  // namespace robotbench
