#pragma once
// `robotbench run` and `robotbench load` as one rank of a distributed run under mpirun.

#include "harness/rank_group.hpp"
#include "harness/run_options.hpp"

namespace robotbench::mpi {

// The run or load command: `command(options, group)`.
using rank_command = int (*)(run_options, rank_group*);

// Starts MPI, runs `command` as this rank with every rank of MPI_COMM_WORLD as its group, and
// finalises MPI. Returns the command's exit status: the run's on rank 0, 0 on the others unless
// the settings were refused (2). The main thread.
int run_as_rank(rank_command command, run_options options);

}  // namespace robotbench::mpi
