// Setting checks with messages a user can act on: each names the flag.

#include "config_check.hpp"

#include <fmt/format.h>

#include <cmath>

#include "payload.hpp"
#include "usage_error.hpp"

namespace robotbench::loadgen {

namespace {

[[noreturn]] void refuse(const std::string& message) {
    throw usage_error(message);
}

}  // namespace

void check_load_settings(const load_config& config) {
    if (config.connections == 0) refuse("--connections must be at least 1");
    if (config.pipeline == 0)
        refuse("--pipeline must be at least 1 (requests in flight per connection)");
    if (config.duration.count() <= 0)
        refuse("--duration must be longer than zero (e.g. 500ms, 5s, 1m)");
    if (config.warmup.count() < 0) refuse("--warmup must not be negative");
    if (config.timeout.count() <= 0) refuse("--timeout must be longer than zero (e.g. 2s)");
    if (config.interval < std::chrono::milliseconds(1))
        refuse("the interval of the per-interval record must be at least 1ms");
    if (config.size < min_payload_size)
        refuse(
            fmt::format("--size {}: payload size {} is below the minimum of {} bytes "
                        "(connection id and sequence number)",
                        config.size, config.size, min_payload_size));
    if (!std::isfinite(config.rate) || config.rate < 0)
        refuse(
            fmt::format("--rate must be zero (closed loop) or a positive number of requests "
                        "per second, not {}",
                        config.rate));
    if (config.rate > 0 && config.pipeline > 1)
        refuse(fmt::format(
            "--pipeline applies to closed loop only: with --rate a connection keeps up to {} "
            "requests in flight, whatever the server does",
            open_loop_max_in_flight));
}

void check_load_config(const load_config& config) {
    check_load_settings(config);
    if (config.target.port == 0) refuse("the target port must not be 0");
}

void check_churn_config(const churn_config& config) {
    check_load_settings(config.load);
    if (config.load.requests > 0) refuse("a request count applies to the load scenario only");
    if (!std::isfinite(config.connect_rate) || config.connect_rate <= 0)
        refuse(
            fmt::format("--connect-rate must be a positive number of connections per second, "
                        "not {}",
                        config.connect_rate));
    if (config.requests_per_connection == 0) refuse("--requests-per-connection must be at least 1");
}

void check_idle_config(const idle_config& config) {
    if (config.load.pipeline != 1 || config.load.rate > 0)
        refuse(
            "--scenario idle sets its own pace (--idle-interval, --probe-rate): -P and -R do "
            "not apply");
    check_load_settings(config.load);
    if (config.interval.count() <= 0) refuse("--idle-interval must be longer than zero (e.g. 2s)");
    if (!(config.probe_rate > 0)) refuse("--probe-rate must be a positive number of requests/s");
    if (config.probes == 0) refuse("--scenario idle needs at least one probe connection");
    if (config.load.requests > 0) refuse("a request count applies to the load scenario only");
}

}  // namespace robotbench::loadgen
