#pragma once
// What `robotbench slo` prints and writes: a line per step while it searches, the closing table
// of sustainable rates, the steps' CSV (the curve the chart draws) and the JSON document.

#include <string>
#include <vector>

#include "environment.hpp"
#include "slo.hpp"

namespace robotbench {

// `  step 3: 42,100 req/s  p99 820 µs ± 30 µs (3 runs)  achieved 42,050 req/s  errors 0
// presence passed  -> meets 1.00 ms`. Pure.
std::string slo_step_line(const slo_step& step, const slo_options& options);

// backend, sustainable rate, the rate that failed above it, the percentile at the sustainable
// rate with its interval, the closed-loop throughput, steps, why the search ended. Pure.
std::string slo_table(const std::vector<slo_result>& results, const slo_options& options);

// The header and one row per step of every search, written (replacing) to `path`. Throws
// std::system_error.
void write_slo_steps_csv(const std::string& path, const std::vector<slo_result>& results,
                         const slo_options& options, const environment& env);

// The whole document: environment, settings, and per backend the sustainable rate
// (`sustainable_rate_rps`) and every step. Pure.
std::string slo_json(const std::vector<slo_result>& results, const slo_options& options,
                     const environment& env);

}  // namespace robotbench
