#pragma once
// Refusing impossible settings: the one place the load settings are checked, before a run (by
// the harness, on the parsed flags) and again when the load generator is handed them.

#include "load.hpp"

namespace robotbench::loadgen {

// Throws usage_error with a one-line message naming the flag when a load cannot be run as asked:
// no connections, pipeline 0, a duration or timeout that is not positive, a negative warm-up, a
// payload below min_payload_size, a negative or non-finite rate, -P above 1 with a rate. The
// target is not looked at (the harness checks before it knows the port). Pure; any thread.
void check_load_settings(const load_config& config);

// check_load_settings, and a target port that is not 0.
void check_load_config(const load_config& config);

// The load's settings (not its target), plus a connect rate that is not positive or no requests per connection.
void check_churn_config(const churn_config& config);

// The load's settings (not its target; -P and -R do not apply: idle sets its own pace), plus an interval or
// probe rate that is not positive, or no probes.
void check_idle_config(const idle_config& config);

}  // namespace robotbench::loadgen
