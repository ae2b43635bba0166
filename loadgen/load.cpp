// run_load: check the settings, resolve the target, start the workers, merge their results.

#include "load.hpp"

#include <memory>
#include <vector>

#include "config_check.hpp"
#include "driver.hpp"
#include "fd_limit.hpp"
#include "load_worker.hpp"

namespace robotbench::loadgen {

load_result run_load(const load_config& config, const progress_fn& on_progress) {
    check_load_config(config);
    load_plan plan{config, resolve(config.target), generator_threads(config)};
    ensure_fd_limit(config.connections);
    std::vector<std::unique_ptr<worker>> workers;
    for (unsigned t = 0; t < plan.threads; ++t)
        workers.push_back(std::make_unique<load_worker>(plan, t));
    return drive(workers, config, /*service_is_latency=*/config.rate == 0, on_progress);
}

}  // namespace robotbench::loadgen
