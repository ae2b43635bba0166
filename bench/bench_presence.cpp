// The presence counter: the shared-memory atomic every accept and close updates.

#include <benchmark/benchmark.h>

#include "backends/presence.hpp"

namespace {

robotbench::presence& shared_counter() {
    static robotbench::presence counter;
    return counter;
}

// An accept and a close, as one pair of updates; contended when run on several threads.
void presence_update(benchmark::State& state) {
    auto& online = shared_counter();
    for (auto _ : state) {
        online.add();
        online.remove();
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(presence_update)->Threads(1)->Threads(2);

// An `/online` read.
void presence_read(benchmark::State& state) {
    auto& online = shared_counter();
    for (auto _ : state) benchmark::DoNotOptimize(online.count());
}
BENCHMARK(presence_read);

}  // namespace
