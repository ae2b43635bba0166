#include "presence_scenario.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <optional>
#include <thread>

namespace robotbench::loadgen::presence_detail {

namespace {
// Pause between two `/online` questions while waiting for a count to converge.
constexpr auto question_pause = std::chrono::microseconds(200);
}  // namespace

scenario::scenario(const presence_config& config, const address& to, control_connection control,
                   std::int64_t baseline)
    : config_(config), to_(to), control_(std::move(control)), baseline_(baseline) {}

clock::duration scenario::answer_wait() const {
    return std::max<clock::duration>(config_.settle, answer_timeout);
}

std::int64_t scenario::expected() const {
    return baseline_ + others_ + 1 + static_cast<std::int64_t>(open_.size());
}

void scenario::sync(std::int64_t mine) {
    if (!config_.sum_over_ranks) return;
    others_ = config_.sum_over_ranks(mine) - mine;
    synced_ = clock::now();
}

void scenario::fail(std::string detail) {
    failures_.push_back(std::move(detail));
}

void scenario::lose_control(std::string_view when, const online_answer& answer) {
    fail(fmt::format("{}: {}; the remaining checks were not run", when, describe(answer)));
    control_lost_ = true;
}

void scenario::checkpoint(std::string_view when, bool timed) {
    // Every rank has finished its last change before any checks, and has checked before any
    // changes again.
    const auto mine = (control_lost_ ? 0 : 1) + static_cast<std::int64_t>(open_.size());
    sync(mine);
    check_count(when, timed);
    sync(mine);
}

void scenario::check_count(std::string_view when, bool timed) {
    if (control_lost_) return;
    ++checks_;
    const auto want = expected();
    // The count has `settle` to become exact after the last change of any rank's clients.
    const auto deadline = std::max(last_change_, synced_) + config_.settle;
    std::optional<clock::time_point> exact_since;  // when the answers became exact
    for (;;) {
        const auto answer = control_.ask_and_wait(answer_timeout);
        if (answer.what != online_answer::kind::count) return lose_control(when, answer);
        // Exact twice in a row: a count that passes the right value on its way elsewhere (one
        // too low while a close is still on its way) is not taken as converged.
        if (answer.count == want && exact_since) {
            if (timed)
                convergence_.push_back(std::max<clock::duration>(*exact_since - last_change_, {}));
            return;
        }
        if (answer.count == want) {
            exact_since = answer.at;
            continue;
        }
        exact_since.reset();
        if (answer.at >= deadline) {
            return fail(fmt::format(
                "{}: /online expected {} ({} other + control + {} open{}), last seen "
                "{}, {} after the last change",
                when, want, baseline_, open_.size(),
                config_.sum_over_ranks ? fmt::format(" + {} of the other ranks", others_)
                                       : std::string(),
                answer.count, format_ms(answer.at - last_change_)));
        }
        std::this_thread::sleep_for(question_pause);
    }
}

presence_result scenario::result() const {
    presence_result out;
    out.checks = checks_;
    out.failures = static_cast<unsigned>(failures_.size());
    out.failure_details = failures_;
    if (!convergence_.empty()) {
        auto sorted = convergence_;
        std::sort(sorted.begin(), sorted.end());
        const auto n = sorted.size();
        out.max_convergence = sorted.back();
        out.median_convergence = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
    return out;
}

}  // namespace robotbench::loadgen::presence_detail
