#pragma once
// The exact merge of latency histograms across the ranks of a distributed run.

#include <mpi.h>

#include "loadgen/histogram.hpp"

namespace robotbench::mpi {

// Adds every rank's `h` into root's, bucket by bucket (MPI_Reduce with MPI_SUM over the uint64
// counts arrays; min and max with MPI_MIN and MPI_MAX), so root's percentiles are exactly those
// of one histogram that recorded every rank's values. Other ranks keep theirs. A collective:
// every rank of `comm` calls it, from the thread that initialised MPI.
void reduce_histogram(loadgen::histogram& h, int root, MPI_Comm comm);

}  // namespace robotbench::mpi
