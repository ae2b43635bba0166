#include "presence_check.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <exception>

namespace robotbench {

namespace {

// Rank 0's result becomes every rank's: checks and failures summed, each failure named with its
// rank, the longest convergence; the median stays rank 0's own.
void gather_presence(loadgen::presence_result& result, rank_group& group) {
    const auto checks = group.gather(double(result.checks));
    const auto failures = group.gather(double(result.failures));
    const auto longest = group.gather(double(result.max_convergence.count()));
    std::string details;
    for (const auto& line : result.failure_details) details += line + '\n';
    const auto all_details = group.gather(details);
    if (group.rank() != 0) return;
    result.checks = result.failures = 0;
    result.failure_details.clear();
    for (std::size_t rank = 0; rank < checks.size(); ++rank) {
        result.checks += static_cast<unsigned>(checks[rank]);
        result.failures += static_cast<unsigned>(failures[rank]);
        result.max_convergence =
            std::max(result.max_convergence, std::chrono::nanoseconds(std::int64_t(longest[rank])));
        std::size_t from = 0;
        for (auto end = all_details[rank].find('\n'); end != std::string::npos;
             from = end + 1, end = all_details[rank].find('\n', from))
            result.failure_details.push_back(
                fmt::format("rank {}: {}", rank, all_details[rank].substr(from, end - from)));
    }
}

}  // namespace

bool wants_presence(const run_options& o) {
    return o.kind == scenario::presence || o.presence_check;
}

void check_presence(run_record& r, const loadgen::endpoint& target, bool outside_target,
                    status_line& status, rank_group* group) {
    status.show(r.backend.empty() ? r.target : r.backend, "presence check");
    loadgen::presence_config config;
    config.target = target;
    config.others = outside_target ? r.options.other_clients : std::optional<std::int64_t>(0);
    if (group != nullptr)
        config.sum_over_ranks = [group](std::int64_t mine) { return group->sum(mine); };
    loadgen::presence_result result;
    try {
        result = loadgen::run_presence(config);
        status.clear();
    } catch (const std::exception& e) {
        status.clear();
        // The others may be in a step of the check: end them all, with the reason.
        if (group != nullptr) group->abort(fmt::format("the presence check failed: {}", e.what()));
        r.presence.state = presence_state::failed;
        r.presence.details.push_back(fmt::format("the presence check could not run: {}", e.what()));
        return;
    }
    if (group != nullptr) gather_presence(result, *group);
    auto& p = r.presence;
    p.checks = result.checks;
    p.failures = result.failures;
    p.details = result.failure_details;
    p.max_convergence_ns = static_cast<std::uint64_t>(result.max_convergence.count());
    p.median_convergence_ns = static_cast<std::uint64_t>(result.median_convergence.count());
    p.note = result.note;
    if (!result.supported) {
        const auto why = result.note.empty() ? std::string("the server does not implement /online")
                                             : result.note;
        // Against an outside server a load, churn or idle run checked its replies besides; the
        // presence scenario is the check alone, so without `/online` nothing was checked.
        if (outside_target && r.options.kind != scenario::presence) {
            p.state = presence_state::skipped;
            p.note = why;
            return;
        }
        p.state = presence_state::failed;
        p.checks = p.failures = 1;  // the one check that ran: does it answer `/online`?
        p.details.push_back(outside_target ? fmt::format("nothing was checked: {}, and "
                                                         "--scenario presence is only that check",
                                                         why)
                                           : why);
        return;
    }
    p.state = result.failures == 0 ? presence_state::passed : presence_state::failed;
}

void skip_presence(run_record& r, std::string_view why) {
    if (!wants_presence(r.options)) return;
    r.presence.state = presence_state::skipped;
    r.presence.note = std::string(why);
}

}  // namespace robotbench
