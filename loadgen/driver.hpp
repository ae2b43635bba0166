#pragma once
// Runs generator workers on their own threads, reports progress from the calling thread, and
// merges what the threads measured into one result.

#include <memory>
#include <vector>

#include "load.hpp"
#include "worker.hpp"

namespace robotbench::loadgen {

// Starts one thread per worker, calls on_progress about once a second (from this thread) until
// the measured window ends, joins, and merges. Rethrows the first exception a worker threw.
// `service_is_latency`: closed loop, where the send is the intended send and only latency is
// recorded.
load_result drive(std::vector<std::unique_ptr<worker>>& workers, const load_config& config,
                  bool service_is_latency, const progress_fn& on_progress);

}  // namespace robotbench::loadgen
