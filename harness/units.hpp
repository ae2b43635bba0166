#pragma once
// Numbers for people, each with its unit: latencies to three significant digits in the unit
// that suits them, counts with thousands separators, memory in KiB or MiB.

#include <cstdint>
#include <string>

namespace robotbench {

// `850 ns`, `45.1 µs`, `1.23 ms`, `2.00 s`. Pure; any thread.
std::string format_latency(std::uint64_t ns);

// `1,234,567`. Pure; any thread.
std::string format_count(std::uint64_t n);

// A rate rounded to a whole number with separators: `123,457`. Pure; any thread.
std::string format_rate(double per_second);

// `169.2k ± 2.1k`: a count-like value (req/s) and its deviation, both on the value's scale
// (plain below 1,000, k below a million, M above). Pure; any thread.
std::string format_plus_minus(double value, double deviation);

// A latency given in µs (as the CSV columns hold it), formatted like format_latency; negative
// values read as 0 and values past a day as a day. Pure; any thread.
std::string format_latency_us(double us);

// `45.1 µs ± 2.00 µs`: a latency and its deviation, in ns. Pure; any thread.
std::string format_latency_plus_minus(double ns, double deviation_ns);

// `512 KiB`, `9,876 KiB`, `12.3 MiB`. Pure; any thread.
std::string format_memory(std::uint64_t kib);

}  // namespace robotbench
