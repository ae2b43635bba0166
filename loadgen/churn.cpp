// run_churn: connections open, send K requests pipelined in one write, and close with FIN, at a
// target connect rate.

#include <memory>
#include <vector>

#include "churn_worker.hpp"
#include "config_check.hpp"
#include "driver.hpp"
#include "fd_limit.hpp"
#include "load.hpp"

namespace robotbench::loadgen {

load_result run_churn(const churn_config& config, const progress_fn& on_progress) {
    check_churn_config(config);
    churn_plan plan{config, resolve(config.load.target), generator_threads(config.load)};
    ensure_fd_limit(config.load.connections);
    std::vector<std::unique_ptr<worker>> workers;
    for (unsigned t = 0; t < plan.threads; ++t)
        workers.push_back(std::make_unique<churn_worker>(plan, t));
    return drive(workers, config.load, /*service_is_latency=*/true, on_progress);
}

}  // namespace robotbench::loadgen
