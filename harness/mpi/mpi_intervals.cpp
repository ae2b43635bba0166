#include "mpi_intervals.hpp"

#include <cstdint>

#include "mpi_histogram.hpp"

namespace robotbench::mpi {

void reduce_intervals(std::vector<loadgen::interval_result>& intervals, int root, MPI_Comm comm) {
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    // Every rank learns the longest count before any reduction that depends on it.
    std::uint64_t mine = intervals.size(), count = 0;
    MPI_Allreduce(&mine, &count, 1, MPI_UINT64_T, MPI_MAX, comm);
    intervals.resize(count);  // empty intervals: nothing counted, an empty histogram
    if (count == 0) return;

    // The counts of every interval in one reduction: requests, errors, open connections.
    const std::size_t n = intervals.size();
    std::vector<std::uint64_t> sums(3 * n), summed(rank == root ? 3 * n : 0);
    std::vector<std::int64_t> times(2 * n), latest(rank == root ? 2 * n : 0);
    for (std::size_t k = 0; k < n; ++k) {
        sums[3 * k] = intervals[k].requests;
        sums[3 * k + 1] = intervals[k].errors;
        sums[3 * k + 2] = intervals[k].open_connections;
        times[2 * k] = intervals[k].begin.count();
        times[2 * k + 1] = intervals[k].length.count();
    }
    MPI_Reduce(sums.data(), summed.data(), static_cast<int>(sums.size()), MPI_UINT64_T, MPI_SUM,
               root, comm);
    MPI_Reduce(times.data(), latest.data(), static_cast<int>(times.size()), MPI_INT64_T, MPI_MAX,
               root, comm);

    loadgen::histogram h;
    for (std::size_t k = 0; k < n; ++k) {
        h.reset();
        h.merge(intervals[k].latency);
        reduce_histogram(h, root, comm);
        if (rank != root) continue;
        auto& merged = intervals[k];
        merged.requests = summed[3 * k];
        merged.errors = summed[3 * k + 1];
        merged.open_connections = summed[3 * k + 2];
        merged.begin = std::chrono::nanoseconds(latest[2 * k]);
        merged.length = std::chrono::nanoseconds(latest[2 * k + 1]);
        merged.latency = h.snapshot();
    }
}

}  // namespace robotbench::mpi
