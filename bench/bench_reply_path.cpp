// The load generator's per-connection hot path at pipeline 16: judging one read's worth of
// replies byte for byte and refilling the pipeline, as one generator thread does per connection
// and round trip; and batched against one-at-a-time histogram recording.

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "loadgen/connection.hpp"
#include "loadgen/histogram.hpp"
#include "loadgen/latency_batch.hpp"

namespace {

using namespace robotbench::loadgen;

constexpr std::size_t pipeline = 16;
constexpr std::size_t rounds = 1024;  // batches of replies prepared ahead

// The wire bytes of `rounds` batches of correct replies to one connection's requests 0, 1, ...
std::vector<std::string> reply_batches(std::uint32_t id, std::size_t size) {
    payload_builder p(id, size);
    std::vector<std::string> batches(rounds);
    std::uint64_t seq = 0;
    for (auto& wire : batches)
        for (std::size_t k = 0; k < pipeline; ++k, ++seq)
            wire += "====" + std::string(p.payload(seq)) + "====\n";
    return batches;
}

// One round trip of one connection: the replies to a pipelined batch judged, the batch refilled.
void reply_path_round(benchmark::State& state) {
    const std::size_t size = std::size_t(state.range(0));
    const auto batches = reply_batches(7, size);
    error_counts errors;
    std::uint64_t ok = 0;
    std::unique_ptr<client_connection> c;
    std::size_t round = rounds;
    for (auto _ : state) {
        if (round == rounds) {
            state.PauseTiming();
            c = std::make_unique<client_connection>(7, size, pipeline);
            c->enqueue(pipeline, 0, 0);
            round = 0;
            state.ResumeTiming();
        }
        c->judge(batches[round++], 1, errors,
                 [&](const reply_verdict& v, std::int64_t) { ok += v.kind == reply_kind::ok; });
        c->enqueue(pipeline - c->validator().in_flight_count(), 1, 1);
        c->close();  // forgets the unsent requests, as a send would (it has no socket)
    }
    if (errors.total() != 0) state.SkipWithError("a correct reply was judged wrong");
    benchmark::DoNotOptimize(ok);
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pipeline));
}
BENCHMARK(reply_path_round)->Arg(16)->Arg(64)->Arg(1024);

// Sixteen equal latencies (one pipelined batch), recorded one at a time.
void histogram_record_batch_one_by_one(benchmark::State& state) {
    histogram h;
    std::uint64_t v = 10'000;
    for (auto _ : state) {
        for (std::size_t k = 0; k < pipeline; ++k) h.record(v);
        v = v * 7 % 1'000'003 + 2'000;
    }
    benchmark::DoNotOptimize(h.count());
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pipeline));
}
BENCHMARK(histogram_record_batch_one_by_one);

// The same, through latency_batch: one record of the value and its count.
void histogram_record_batch_batched(benchmark::State& state) {
    histogram h;
    latency_batch batch(h);
    std::uint64_t v = 10'000;
    for (auto _ : state) {
        for (std::size_t k = 0; k < pipeline; ++k) batch.add(v);
        batch.flush();
        v = v * 7 % 1'000'003 + 2'000;
    }
    benchmark::DoNotOptimize(h.count());
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pipeline));
}
BENCHMARK(histogram_record_batch_batched);

}  // namespace
