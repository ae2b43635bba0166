// run_presence(): the presence check a default run ends with, and `--scenario presence`.

#include <fmt/core.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "load.hpp"
#include "presence_scenario.hpp"

namespace robotbench::loadgen {

namespace {

using presence_detail::address;
using presence_detail::answer_timeout;
using presence_detail::control_connection;
using presence_detail::describe;
using presence_detail::format_ms;
using presence_detail::online_answer;
using presence_detail::printable;
using presence_detail::resolve;
using presence_detail::scenario;
using clock = presence_detail::clock;

// How long the count must hold still before it is taken as the baseline, when the number of
// other clients is not known, and how often it is asked meanwhile.
constexpr auto steady_for = std::chrono::milliseconds(50);
constexpr auto steady_pause = std::chrono::milliseconds(5);

// Asks `/online` until the count has held still for `steady_for` (clients of an earlier run may
// still be leaving) or `settle` has passed; returns the last answer, or the first that is not a
// count.
online_answer steady_count(control_connection& control, online_answer last,
                           clock::duration settle) {
    const auto give_up = last.at + settle;
    auto held_since = last.at;
    auto value = last.count;
    while (last.at - held_since < steady_for && last.at < give_up) {
        std::this_thread::sleep_for(steady_pause);
        last = control.ask_and_wait(answer_timeout);
        if (last.what != online_answer::kind::count) return last;
        if (last.count != value) value = last.count, held_since = last.at;
    }
    return last;
}

}  // namespace

presence_result run_presence(const presence_config& config) {
    const auto where = fmt::format("{}:{}", config.target.host, config.target.port);
    presence_result result;
    const auto failed = [&](std::string detail) {
        result.checks = 1;
        result.failures = 1;
        result.failure_details = {std::move(detail)};
        return result;
    };
    const auto skipped = [&](std::string note) {
        result.supported = false;
        result.note = std::move(note);
        return result;
    };

    // A distributed run: before each early return below every rank learns whether all of them
    // may go on, so that no rank waits in a step the others have left.
    const auto all_ready = [&](bool ready) {
        if (!config.sum_over_ranks) return ready;
        const std::int64_t ranks = config.sum_over_ranks(1);
        return config.sum_over_ranks(ready ? 1 : 0) == ranks;
    };
    const auto not_everywhere = [&] {
        return failed("another rank could not start the presence check (its report says why)");
    };

    address to;
    std::optional<control_connection> control;
    try {
        to = resolve(config.target);
        control.emplace(to, answer_timeout);
    } catch (const std::exception& e) {
        all_ready(false);
        return failed(fmt::format("control connection to {}: {}", where, e.what()));
    }
    auto first = control->ask_and_wait(answer_timeout);
    if (!all_ready(first.what == online_answer::kind::count)) {
        if (first.what == online_answer::kind::count) return not_everywhere();
    }
    switch (first.what) {
        case online_answer::kind::count:
            break;
        case online_answer::kind::silent:  // a server without `/online` still echoes the line
            return failed(fmt::format("{} did not answer /online within {}", where,
                                      format_ms(answer_timeout)));
        case online_answer::kind::unsupported:
            return skipped(
                fmt::format("{} answers /online with '{}', not 'online N': it does "
                            "not implement /online",
                            where, printable(first.line)));
        case online_answer::kind::malformed:
            if (first.line.starts_with('!'))
                return failed(fmt::format("control connection to {} refused: '{}'", where,
                                          printable(first.line)));
            return failed(fmt::format("{}: {}", where, describe(first)));
        case online_answer::kind::lost:
            return failed(fmt::format("control connection to {}: {}", where, first.line));
    }

    // Known: the count is checked against it. Unknown: taken from the count, which must at least
    // include the control connection itself.
    std::int64_t others = 0;
    std::optional<std::string> bad_start;
    if (config.others) {
        others = *config.others;
    } else {
        // Every rank's control connection is open by now; the count holds them all.
        const std::int64_t controls = config.sum_over_ranks ? config.sum_over_ranks(1) : 1;
        first = steady_count(*control, std::move(first), config.settle);
        const bool counted = first.what == online_answer::kind::count;
        if (!all_ready(counted)) {
            if (counted) return not_everywhere();
            return failed(fmt::format("at the start: {}", describe(first)));
        }
        others = std::max<std::int64_t>(first.count - controls, 0);
        if (first.count < controls)
            bad_start = fmt::format(
                "at the start: /online said {} with the control connection "
                "open",
                first.count);
    }
    scenario run(config, to, std::move(*control), others);
    if (config.others) run.checkpoint("before any client opened", false);

    // Alone, a lost control connection ends the steps; in a distributed run each step is
    // collective and does nothing on the rank that lost it.
    const bool together = bool(config.sum_over_ranks);
    for (unsigned wave = 1; wave <= config.waves && (together || !run.control_lost()); ++wave) {
        run.open_wave(wave);
        run.checkpoint(fmt::format("after wave {} opened", wave));
        run.close_some((run.open_count() + 1) / 2,
                       fmt::format("while closing after wave {}", wave));
        run.checkpoint(fmt::format("after closes in wave {}", wave));
    }
    run.close_some(run.open_count(), "while closing every client");
    run.checkpoint("with every client closed");

    // Every rank has done its last check before any closes its control connection.
    if (together) config.sum_over_ranks(0);
    result = run.result();
    if (!config.others) {
        ++result.checks;
        if (bad_start) {
            ++result.failures;
            result.failure_details.insert(result.failure_details.begin(), *bad_start);
        }
    }
    return result;
}

}  // namespace robotbench::loadgen
