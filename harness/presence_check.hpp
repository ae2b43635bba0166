#pragma once
// The presence check that ends a run (or is the whole of `--scenario presence`): the load
// generator's check, and what its outcome means for the run.

#include <string_view>

#include "loadgen/load.hpp"
#include "rank_group.hpp"
#include "run_record.hpp"
#include "status_line.hpp"

namespace robotbench {

// True when the run's settings call for a presence check.
bool wants_presence(const run_options& options);

// Runs the check against `target` and records it in r.presence. A server robotbench started has
// no other clients and must answer `/online` (else the check fails); an outside target has
// options.other_clients, and one that does not implement `/online` (it echoes the line) skips
// the check, unless the check is the whole run (--scenario presence), which then fails. No
// answer at all, or a malformed one, fails the check on any server. Shows a phase on the status
// line meanwhile. Call from the run's thread. With a `group` every rank calls it: each opens
// and closes its own clients, `/online` is checked against every rank's, and rank 0's record
// holds every rank's checks and failures.
void check_presence(run_record& r, const loadgen::endpoint& target, bool outside_target,
                    status_line& status, rank_group* group = nullptr);

// Records why a check that was due did not run (the run fails for that reason already).
void skip_presence(run_record& r, std::string_view why);

}  // namespace robotbench
