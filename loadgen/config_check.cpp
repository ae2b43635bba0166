// Setting checks with messages a user can act on.

#include "config_check.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "payload.hpp"
#include "usage_error.hpp"

namespace robotbench::loadgen {

namespace {

[[noreturn]] void refuse(const std::string& message) {
    throw usage_error(message);
}

}  // namespace

void check_load_config(const load_config& config) {
    if (config.connections == 0) refuse("connections must be at least 1");
    if (config.pipeline == 0) refuse("pipeline must be at least 1 request in flight");
    if (config.duration.count() <= 0) refuse("duration must be longer than zero");
    if (config.warmup.count() < 0) refuse("warm-up must not be negative");
    if (config.timeout.count() <= 0) refuse("timeout must be longer than zero");
    if (config.size < min_payload_size)
        refuse(fmt::format(
            "payload size {} is below the minimum of {} bytes (connection id and sequence number)",
            config.size, min_payload_size));
    if (!std::isfinite(config.rate) || config.rate < 0)
        refuse(
            fmt::format("rate must be zero (closed loop) or a positive number of requests per "
                        "second, not {}",
                        config.rate));
    if (config.rate > 0 && config.pipeline > 1)
        refuse(fmt::format(
            "pipeline applies to closed loop only; in open loop a connection keeps up to {} "
            "requests in flight",
            open_loop_max_in_flight));
    if (config.target.port == 0) refuse("the target port must not be 0");
}

void check_churn_config(const churn_config& config) {
    check_load_config(config.load);
    if (!std::isfinite(config.connect_rate) || config.connect_rate <= 0)
        refuse(
            fmt::format("connect rate must be a positive number of connections per second, "
                        "not {}",
                        config.connect_rate));
}

}  // namespace robotbench::loadgen
