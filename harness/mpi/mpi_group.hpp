#pragma once
// The rank_group of a run under mpirun: MPI_COMM_WORLD.

#include "harness/rank_group.hpp"

namespace robotbench::mpi {

// Every rank of MPI_COMM_WORLD. Construct after the session started, on the main thread (a
// collective: it gathers the hosts' names); use from that thread only.
class world_group final : public rank_group {
  public:
    world_group();

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    const std::vector<std::string>& hosts() const override { return hosts_; }

    std::vector<std::string> failures(const std::string& why) override;
    void barrier() override;
    std::string broadcast(const std::string& from_root) override;
    bool broadcast(bool from_root) override;
    std::int64_t sum(std::int64_t local) override;
    std::vector<double> gather(double local) override;
    std::vector<std::string> gather(const std::string& local) override;
    void merge(loadgen::load_result& result) override;
    [[noreturn]] void abort(const std::string& why) override;

  private:
    // Every rank's text on every rank.
    std::vector<std::string> all_gather(const std::string& local);

    int rank_ = 0;
    int size_ = 1;
    std::vector<std::string> hosts_;
};

}  // namespace robotbench::mpi
