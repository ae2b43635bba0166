#pragma once
// What a run does across the ranks of an MPI job (docs/distributed.md): each rank's share of the
// load, the settings and hosts every rank must agree on, and what rank 0 records of each rank.
// Every function takes the job's rank_group; called on every rank's main thread.

#include <cstdint>
#include <string>

#include "loadgen/load.hpp"
#include "rank_group.hpp"
#include "run_options.hpp"
#include "run_record.hpp"

namespace robotbench {

// How this rank passed the start barrier: set by the load generator's calling thread (the
// main thread) in load_config::before_start.
struct rank_start {
    bool started = false;           // it left the barrier
    std::int64_t left_barrier_ns = 0;  // when, CLOCK_REALTIME (comparable across ranks)
};

// This rank's share of the connections and, in proportion, of the rate, and the barrier before
// the clock starts, recorded in `start`. Without a group: `c` unchanged.
loadgen::load_config share_of(loadgen::load_config c, rank_group* group, rank_start& start);

// Refuses settings the load generator would refuse, on every rank at once, before any of them
// waits at the start line: throws usage_error with rank 0's view of the reasons.
void agree_on_settings(const loadgen::load_config& c, const run_options& o, rank_group& group);

// Rank 0 records in `r` what each rank drove and cost, and when it started against rank 0; the
// other ranks send theirs.
void record_shares(run_record& r, const loadgen::load_config& share,
                   const loadgen::load_result& mine, double window_cpu_s, const rank_start& start,
                   rank_group& group);

// Whether every rank may go on, `ok` being this rank's view; rank 0 says why not for the ranks
// that may not. Without a group: `ok`.
bool all_agree(bool ok, rank_group* group);

// Why `run` cannot serve these ranks: the server it starts on rank 0 listens on loopback, so
// every rank must be on rank 0's host. Empty when they are (or without a group).
std::string one_host_problem(const rank_group* group);

}  // namespace robotbench
