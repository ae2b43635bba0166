#include "mpi_group.hpp"

#include <fmt/core.h>
#include <mpi.h>

#include <algorithm>
#include <cstdio>

#include "mpi_histogram.hpp"
#include "mpi_intervals.hpp"
#include "mpi_session.hpp"

namespace robotbench::mpi {

namespace {

constexpr int root = 0;

std::uint64_t sum_to_root(std::uint64_t local) {
    std::uint64_t total = 0;
    MPI_Reduce(&local, &total, 1, MPI_UINT64_T, MPI_SUM, root, MPI_COMM_WORLD);
    return total;
}

std::int64_t max_to_root(std::int64_t local) {
    std::int64_t most = 0;
    MPI_Reduce(&local, &most, 1, MPI_INT64_T, MPI_MAX, root, MPI_COMM_WORLD);
    return most;
}

double sum_to_root(double local) {
    double total = 0;
    MPI_Reduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, root, MPI_COMM_WORLD);
    return total;
}

}  // namespace

world_group::world_group() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    hosts_ = all_gather(processor_name());
}

std::vector<std::string> world_group::all_gather(const std::string& local) {
    const int length = static_cast<int>(local.size());
    std::vector<int> lengths(static_cast<std::size_t>(size_));
    MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD);
    std::vector<int> offsets(lengths.size());
    int total = 0;
    for (std::size_t i = 0; i < lengths.size(); ++i) offsets[i] = total, total += lengths[i];
    std::string all(static_cast<std::size_t>(total), '\0');
    MPI_Allgatherv(local.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                   MPI_CHAR, MPI_COMM_WORLD);
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < lengths.size(); ++i)
        texts.push_back(
            all.substr(static_cast<std::size_t>(offsets[i]), static_cast<std::size_t>(lengths[i])));
    return texts;
}

std::vector<std::string> world_group::failures(const std::string& why) {
    // One integer reduction when every rank is well, the texts only when one is not.
    int failed = why.empty() ? 0 : 1, any = 0;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    std::vector<std::string> lines;
    if (any == 0) return lines;
    const auto whys = all_gather(why);
    for (std::size_t r = 0; r < whys.size(); ++r)
        if (!whys[r].empty())
            lines.push_back(fmt::format("rank {} ({}): {}", r, hosts_[r], whys[r]));
    return lines;
}

void world_group::barrier() {
    MPI_Barrier(MPI_COMM_WORLD);
}

std::string world_group::broadcast(const std::string& from_root) {
    std::uint64_t length = from_root.size();
    MPI_Bcast(&length, 1, MPI_UINT64_T, root, MPI_COMM_WORLD);
    std::string text = rank_ == root ? from_root : std::string(length, '\0');
    MPI_Bcast(text.data(), static_cast<int>(length), MPI_CHAR, root, MPI_COMM_WORLD);
    return text;
}

bool world_group::broadcast(bool from_root) {
    int flag = from_root ? 1 : 0;
    MPI_Bcast(&flag, 1, MPI_INT, root, MPI_COMM_WORLD);
    return flag != 0;
}

std::int64_t world_group::sum(std::int64_t local) {
    std::int64_t total = 0;
    MPI_Allreduce(&local, &total, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    return total;
}

std::vector<double> world_group::gather(double local) {
    std::vector<double> all(rank_ == root ? static_cast<std::size_t>(size_) : 0);
    MPI_Gather(&local, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, root, MPI_COMM_WORLD);
    return all;
}

std::vector<std::string> world_group::gather(const std::string& local) {
    auto all = all_gather(local);
    if (rank_ != root) all.clear();
    return all;
}

void world_group::merge(loadgen::load_result& r) {
    r.requests = sum_to_root(r.requests);
    r.unanswered = sum_to_root(r.unanswered);
    r.unsent = sum_to_root(r.unsent);
    r.connects = sum_to_root(r.connects);
    auto& e = r.errors;
    for (auto* kind :
         {&e.connect, &e.reset, &e.closed, &e.timeout, &e.wrong, &e.reordered, &e.missing})
        *kind = sum_to_root(*kind);
    r.generator_cpu.user_s = sum_to_root(r.generator_cpu.user_s);
    r.generator_cpu.sys_s = sum_to_root(r.generator_cpu.sys_s);
    int interrupted = r.interrupted ? 1 : 0, any = 0;
    MPI_Reduce(&interrupted, &any, 1, MPI_INT, MPI_MAX, root, MPI_COMM_WORLD);
    r.interrupted = any != 0;
    // Each rank measured its window on its own clock: the longest of them stands for the run.
    r.measured = std::chrono::nanoseconds(max_to_root(r.measured.count()));
    r.max_lag = std::chrono::nanoseconds(max_to_root(r.max_lag.count()));
    reduce_histogram(r.latency, root, MPI_COMM_WORLD);
    reduce_histogram(r.service, root, MPI_COMM_WORLD);
    reduce_histogram(r.connect_latency, root, MPI_COMM_WORLD);
    reduce_intervals(r.intervals, root, MPI_COMM_WORLD);
}

void world_group::abort(const std::string& why) {
    std::fprintf(stderr, "robotbench: rank %d (%s): %s\n", rank_, hosts_[rank_].c_str(),
                 why.c_str());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    std::abort();  // MPI_Abort does not return
}

}  // namespace robotbench::mpi
