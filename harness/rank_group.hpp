#pragma once
// The generator processes of a distributed run (robotbench under mpirun, docs/distributed.md),
// as the run sees them. Declared without MPI so that the run needs no MPI header; the one
// implementation is in harness/mpi. Every method but rank(), size() and hosts() is a collective:
// every rank calls it at the same step of the run, from its main thread.

#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/load.hpp"
#include "run_record.hpp"

namespace robotbench {

class rank_group {
  public:
    virtual ~rank_group() = default;

    // This process's rank (0 prints and writes every output) and the number of ranks.
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // Each rank's host name, by rank.
    virtual const std::vector<std::string>& hosts() const = 0;

    // Every rank says what went wrong on its side (empty: nothing); every rank gets back one
    // line per rank that failed, `rank N (HOST): WHY`, in rank order. The agreement made before
    // each step, so that no rank enters a collective the others have left.
    virtual std::vector<std::string> failures(const std::string& why) = 0;
    // Waits until every rank is here.
    virtual void barrier() = 0;
    // Rank 0's text (or flag), on every rank.
    virtual std::string broadcast(const std::string& from_root) = 0;
    virtual bool broadcast(bool from_root) = 0;
    // `local` summed over every rank, on every rank.
    virtual std::int64_t sum(std::int64_t local) = 0;
    // Every rank's value, by rank, on rank 0 (elsewhere: empty).
    virtual std::vector<double> gather(double local) = 0;
    virtual std::vector<std::string> gather(const std::string& local) = 0;
    // Merges every rank's result into rank 0's, exactly: the histograms bucket by bucket, the
    // counts and errors by kind summed, the measured window the longest of the ranks' (each on
    // its own clock), the lag the worst, and the intervals (timeline, interval log) index by
    // index, likewise. Other ranks keep their own result.
    virtual void merge(loadgen::load_result& result) = 0;
    // Ends every rank of the run at once with `why` on stderr; the last resort when a rank fails
    // where the others may be waiting in a collective.
    [[noreturn]] virtual void abort(const std::string& why) = 0;
};

// Rank `rank`'s share of `total` items dealt round-robin over `ranks`.
inline unsigned rank_portion(unsigned total, int rank, int ranks) {
    const auto n = static_cast<unsigned>(ranks), r = static_cast<unsigned>(rank);
    return total / n + (r < total % n ? 1u : 0u);
}

}  // namespace robotbench
