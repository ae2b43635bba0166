#pragma once
// The CSV columns the issue promises, as a script would look them up. Header-only, so that the
// unit tests (which do not link tests/support) can use it too.

#include <string>
#include <vector>

namespace robotbench::test {

// Every column a run's CSV row must have, in no particular order of importance.
inline const std::vector<std::string> promised_columns{"timestamp",
                                                       "git_revision",
                                                       "backend",
                                                       "scenario",
                                                       "connections",
                                                       "threads",
                                                       "pipeline",
                                                       "rate_rps",
                                                       "size_bytes",
                                                       "duration_s",
                                                       "requests",
                                                       "errors",
                                                       "throughput_rps",
                                                       "latency_min_us",
                                                       "latency_p50_us",
                                                       "latency_p90_us",
                                                       "latency_p99_us",
                                                       "latency_p999_us",
                                                       "latency_max_us",
                                                       "server_user_cpu_s",
                                                       "server_sys_cpu_s",
                                                       "server_cpu_us_per_request",
                                                       "server_peak_memory_kib",
                                                       "server_memory_per_connection_kib",
                                                       "kernel_memory_per_connection_kib",
                                                       "server_voluntary_switches",
                                                       "server_involuntary_switches",
                                                       "presence_checks",
                                                       "presence_failures",
                                                       "presence_max_convergence_ms",
                                                       "generator_cpu_s"};

}  // namespace robotbench::test
