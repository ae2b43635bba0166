// The latency histogram: recording one value, and merging per-thread histograms.

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "loadgen/histogram.hpp"

namespace {

using robotbench::loadgen::histogram;

// Latency-like values: 10 µs to 10 ms, log-uniform.
std::vector<std::uint64_t> sample_values(std::size_t n) {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> exponent(4.0, 7.0);
    std::vector<std::uint64_t> values(n);
    for (auto& v : values) v = static_cast<std::uint64_t>(std::pow(10.0, exponent(rng)));
    return values;
}

void histogram_record(benchmark::State& state) {
    const auto values = sample_values(4096);
    histogram h;
    std::size_t i = 0;
    for (auto _ : state) {
        h.record(values[i++ & 4095]);
    }
    benchmark::DoNotOptimize(h.count());
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(histogram_record);

void histogram_merge(benchmark::State& state) {
    histogram part;
    for (auto v : sample_values(100000)) part.record(v);
    histogram total;
    for (auto _ : state) {
        total.merge(part);
        benchmark::DoNotOptimize(total.count());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(histogram_merge);

}  // namespace
