#pragma once
// HdrHistogram's interval log (format 1.3): one line per interval of the measured window, each
// with the interval's latency histogram in HdrHistogram's V2 compressed encoding, base64. Read by
// HdrHistogram's own HistogramLogProcessor and the tools built on it.
//
// Our histogram (loadgen/histogram.hpp) has exactly HdrHistogram's layout for a lowest
// discernible value of 1, three significant digits and a highest trackable value of 60 s, values
// in nanoseconds: 2048 sub-buckets, bucket b >= 1 holding [1024 << b, 2048 << b) in steps of
// 2^b, and the same counts index for every value. So the counts are written as they are, and
// every value read back is the one we recorded, to the histogram's own precision.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/histogram.hpp"
#include "loadgen/load.hpp"

namespace robotbench {

// The HdrHistogram header of our histograms.
inline constexpr std::int64_t hlog_lowest_discernible = 1;  // ns
inline constexpr std::int64_t hlog_highest_trackable =
    static_cast<std::int64_t>(loadgen::histogram::highest);  // ns
inline constexpr int hlog_significant_digits = loadgen::histogram::significant_digits;

// `h` in HdrHistogram's V2 encoding (cookie 0x1c849313): the 40-byte header, then the counts
// up to the last non-zero one as ZigZag LEB128 numbers, a run of zeros written as minus its
// length. Pure.
std::vector<std::uint8_t> encode_v2(const loadgen::histogram_snapshot& h);
// The V2 encoding deflated with zlib behind the compressed cookie (0x1c849314) and length,
// in base64: what a log line carries. Pure; throws std::runtime_error if zlib fails.
std::string encode_compressed_base64(const loadgen::histogram_snapshot& h);

// What a compressed histogram says: the header's fields and the counts by index.
struct decoded_histogram {
    std::int64_t lowest_discernible = 0;
    std::int64_t highest_trackable = 0;
    int significant_digits = 0;
    double conversion_ratio = 0;
    std::vector<std::uint64_t> counts;  // up to the last non-zero index
};
// Decodes a base64 compressed V2 histogram; nullopt when it is not one. Pure (for tests and
// tools; robotbench itself only writes).
std::optional<decoded_histogram> decode_compressed_base64(std::string_view text);

// Base64 (RFC 4648, with padding) and back; decode gives nullopt on a malformed text. Pure.
std::string base64_encode(const std::vector<std::uint8_t>& bytes);
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

// The interval log of one run: header comments with `start` (the wall-clock time the measured
// window opened) as StartTime and BaseTime, the legend, and one line per interval whose
// timestamps count seconds from `start`. Pure.
std::string hlog_text(const std::vector<loadgen::interval_result>& intervals,
                      std::chrono::system_clock::time_point start, std::string_view comment);

// Writes hlog_text to `path`, creating the folder. Throws std::system_error.
void write_hlog(const std::string& path, const std::vector<loadgen::interval_result>& intervals,
                std::chrono::system_clock::time_point start, std::string_view comment);

}  // namespace robotbench
