#pragma once
// What makes a run's numbers unstable, read from the machine before the run: how busy it already
// was (the load average) and how its CPUs are clocked (the cpufreq governor). The report and the
// CSV carry both, beside whether the generator limited the run (bottleneck.hpp).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace robotbench {

// The machine's state at one moment.
struct machine_noise {
    std::optional<double> load_average;  // 1-minute load average; nullopt when unreadable
    std::string cpu_governor;            // e.g. `performance`; empty when not readable
};

// Reads /proc/loadavg and every CPU's cpufreq/scaling_governor. Never throws. Any thread.
machine_noise read_machine_noise();

// The 1-minute load average from the text of /proc/loadavg (`0.52 0.31 0.20 1/123 4567`). Pure.
std::optional<double> parse_load_average(std::string_view text);

// The governors of every CPU as one word, or `a/b` when they differ (in first-seen order);
// empty when none was read. Pure.
std::string governor_text(const std::vector<std::string>& per_cpu);

}  // namespace robotbench
