#include "run_ranks.hpp"

#include <fmt/core.h>
#include <time.h>

#include <algorithm>

#include "loadgen/config_check.hpp"
#include "loadgen/usage_error.hpp"

namespace robotbench {

loadgen::load_config share_of(loadgen::load_config c, rank_group* group, rank_start& start) {
    if (group == nullptr) return c;
    const unsigned all = c.connections;
    c.connections = rank_portion(all, group->rank(), group->size());
    c.rate = c.rate * c.connections / all;
    c.threads = std::min(c.threads, c.connections);
    c.before_start = [group, &start] {
        group->barrier();
        // Taken before anything else, so the spread across ranks is the barrier's own; the
        // load generator starts its clock right after this returns.
        timespec now{};
        ::clock_gettime(CLOCK_REALTIME, &now);
        start.left_barrier_ns = std::int64_t(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
        start.started = true;
    };
    return c;
}

void agree_on_settings(const loadgen::load_config& c, const run_options& o, rank_group& group) {
    std::string why;
    try {
        if (o.kind == scenario::churn) {
            loadgen::churn_config churn;
            churn.load = c;
            churn.connect_rate = o.connect_rate / group.size();
            churn.requests_per_connection = o.requests_per_connection;
            loadgen::check_churn_config(churn);
        } else {
            loadgen::check_load_config(c);
        }
    } catch (const usage_error& e) {
        why = e.what();
    }
    if (const auto failed = group.failures(why); !failed.empty()) throw usage_error(failed.front());
}

void record_shares(run_record& r, const loadgen::load_config& share,
                   const loadgen::load_result& mine, double window_cpu_s, const rank_start& start,
                   rank_group& group) {
    const auto connections = group.gather(double(share.connections));
    const auto rates = group.gather(share.rate);
    const auto requests = group.gather(double(mine.requests));
    const auto cpu = group.gather(mine.generator_cpu.user_s + mine.generator_cpu.sys_s);
    const auto window_cpu = group.gather(window_cpu_s);
    // As text: nanoseconds since 1970 do not fit a double exactly.
    const auto left = group.gather(std::to_string(start.left_barrier_ns));
    r.ranks.clear();
    for (std::size_t i = 0; i < connections.size(); ++i)
        r.ranks.push_back(rank_share{
            group.hosts()[i], static_cast<unsigned>(connections[i]), rates[i],
            static_cast<std::uint64_t>(requests[i]), cpu[i], window_cpu[i],
            double(std::stoll(left[i]) - std::stoll(left[0])) / 1e3});
}

bool all_agree(bool ok, rank_group* group) {
    if (group == nullptr) return ok;
    const auto failed = group->failures(ok ? "" : "refused the settings or outputs (see above)");
    if (!failed.empty() && group->rank() == 0 && ok)
        for (const auto& line : failed) fmt::print(stderr, "robotbench: {}\n", line);
    return failed.empty();
}

std::string one_host_problem(const rank_group* group) {
    if (group == nullptr) return {};
    const auto& hosts = group->hosts();
    for (std::size_t r = 1; r < hosts.size(); ++r)
        if (hosts[r] != hosts[0])
            return fmt::format(
                "run under mpirun starts the server on rank 0's host ({}) listening on 127.0.0.1, "
                "but rank {} runs on {}; across hosts start `robotbench serve --host 0.0.0.0` "
                "and use `robotbench load --target HOST:PORT`",
                hosts[0], r, hosts[r]);
    return {};
}

}  // namespace robotbench
