#include "presence_check.hpp"

#include <fmt/core.h>

#include <exception>

namespace robotbench {

bool wants_presence(const run_options& o) {
    return o.kind == scenario::presence || o.presence_check;
}

void check_presence(run_record& r, const loadgen::endpoint& target, bool outside_target,
                    status_line& status) {
    status.show(r.backend.empty() ? r.target : r.backend, "presence check");
    loadgen::presence_config config;
    config.target = target;
    config.others = outside_target ? r.options.other_clients : std::optional<std::int64_t>(0);
    loadgen::presence_result result;
    try {
        result = loadgen::run_presence(config);
        status.clear();
    } catch (const std::exception& e) {
        status.clear();
        r.presence.state = presence_state::failed;
        r.presence.details.push_back(fmt::format("the presence check could not run: {}", e.what()));
        return;
    }
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
