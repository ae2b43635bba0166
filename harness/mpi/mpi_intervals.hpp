#pragma once
// The exact merge of the measured window's intervals (the timeline and the interval log) across
// the ranks of a distributed run.

#include <mpi.h>

#include <vector>

#include "loadgen/load.hpp"

namespace robotbench::mpi {

// Combines every rank's interval k into root's interval k: requests, errors and open
// connections summed, the latency histograms reduced bucket by bucket (reduce_histogram), the
// start and length the latest and longest of the ranks' (each measured on its own clock). The
// ranks first agree on the count: a rank with fewer intervals (its window closed a little
// earlier on its clock) takes part with empty ones, so no rank waits in a reduction the others
// skipped. Other ranks keep theirs. A collective: every rank of `comm` calls it, from the
// thread that initialised MPI.
void reduce_intervals(std::vector<loadgen::interval_result>& intervals, int root, MPI_Comm comm);

}  // namespace robotbench::mpi
