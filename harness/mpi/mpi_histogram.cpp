#include "mpi_histogram.hpp"

#include <cstdint>
#include <vector>

namespace robotbench::mpi {

void reduce_histogram(loadgen::histogram& h, int root, MPI_Comm comm) {
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    const auto counts = h.counts();
    std::vector<std::uint64_t> merged(rank == root ? counts.size() : 0);
    MPI_Reduce(counts.data(), merged.data(), static_cast<int>(counts.size()), MPI_UINT64_T, MPI_SUM,
               root, comm);
    // The raw minimum of an empty histogram is UINT64_MAX, so it never lowers the merged one.
    const std::uint64_t low = h.count() ? h.min() : UINT64_MAX, high = h.max();
    const std::uint64_t clamped = h.clamped();
    const double sum = h.sum();
    std::uint64_t merged_low = 0, merged_high = 0, merged_clamped = 0;
    double merged_sum = 0;
    MPI_Reduce(&low, &merged_low, 1, MPI_UINT64_T, MPI_MIN, root, comm);
    MPI_Reduce(&high, &merged_high, 1, MPI_UINT64_T, MPI_MAX, root, comm);
    MPI_Reduce(&clamped, &merged_clamped, 1, MPI_UINT64_T, MPI_SUM, root, comm);
    MPI_Reduce(&sum, &merged_sum, 1, MPI_DOUBLE, MPI_SUM, root, comm);
    if (rank == root) h.assign(merged, merged_clamped, merged_low, merged_high, merged_sum);
}

}  // namespace robotbench::mpi
