#pragma once
// --latency: the full percentile spectrum of a run's latency on screen, as wrk2 --latency prints
// it: the headline percentiles, then HdrHistogram's detailed percentile table.

#include <string>

#include "loadgen/histogram.hpp"

namespace robotbench {

// The spectrum of `h` (values in µs): 50, 75, 90, 99, 99.9, 99.99, 99.999 and 100%, each as
// value_at_percentile() computes it (so p99 is the report's, the CSV's and the JSON's), then the
// .hgrm table (Value, Percentile, TotalCount, 1/(1-Percentile)). Pure; any thread.
std::string latency_spectrum(const loadgen::histogram& h);

}  // namespace robotbench
