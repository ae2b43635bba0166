#pragma once
// Refusing impossible settings before a run starts.

#include "load.hpp"

namespace robotbench::loadgen {

// Throws usage_error with a one-line message naming the setting when a load run cannot
// be done as asked: no connections, pipeline 0, a duration or timeout that is not positive, a
// negative warm-up, a payload below min_payload_size, a negative or non-finite rate, port 0.
void check_load_config(const load_config& config);

// The same for churn, plus a connect rate that is not positive.
void check_churn_config(const churn_config& config);

}  // namespace robotbench::loadgen
