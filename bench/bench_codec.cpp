// The protocol codec: parsing pipelined request lines and formatting their replies.

#include <benchmark/benchmark.h>

#include <string>

#include "protocol/session.hpp"

namespace {

// A read's worth of pipelined requests, each `line_size` bytes of payload plus LF.
std::string pipelined_input(std::size_t line_size, std::size_t bytes) {
    std::string line(line_size, 'x');
    line += '\n';
    std::string input;
    while (input.size() + line.size() <= bytes) input += line;
    return input;
}

// Feeds `input` (holding `lines` request lines) to a session per iteration, draining the replies.
void feed_session(benchmark::State& state, const std::string& input, std::size_t lines) {
    robotbench::protocol::session session;
    for (auto _ : state) {
        session.on_input(input, 1);
        benchmark::DoNotOptimize(session.output().data());
        session.consume(session.output().size());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines));
}

// One 64 KiB read of pipelined lines through a session: items are lines.
void codec_pipelined(benchmark::State& state) {
    const auto line_size = static_cast<std::size_t>(state.range(0));
    const std::string input = pipelined_input(line_size, 64 * 1024);
    feed_session(state, input, input.size() / (line_size + 1));
}
BENCHMARK(codec_pipelined)->Arg(16)->Arg(64)->Arg(1024);

// One line per read: the interactive case, where per-call overhead dominates.
void codec_single_line(benchmark::State& state) {
    const auto line_size = static_cast<std::size_t>(state.range(0));
    feed_session(state, std::string(line_size, 'x') + '\n', 1);
}
BENCHMARK(codec_single_line)->Arg(16)->Arg(64)->Arg(1024);

}  // namespace
