// The open-loop schedule and the per-thread cursor over it.

#include "schedule.hpp"

#include <stdexcept>
#include <utility>

namespace robotbench::loadgen {

open_schedule::open_schedule(double rate, unsigned lanes, std::int64_t start_ns)
    : rate_(rate), lanes_(lanes), period_ns_(1e9 / rate), start_ns_(start_ns) {
    if (!(rate > 0) || !std::isfinite(rate))
        throw std::invalid_argument("open-loop rate must be a positive number");
    if (lanes == 0) throw std::invalid_argument("open-loop schedule needs at least one lane");
}

std::uint64_t open_schedule::first_slot_from(std::int64_t t) const noexcept {
    if (t <= start_ns_) return 0;
    auto slot = static_cast<std::uint64_t>(double(t - start_ns_) / period_ns_);
    while (slot > 0 && slot_due(slot - 1) >= t) --slot;
    while (slot_due(slot) < t) ++slot;
    return slot;
}

schedule_cursor::schedule_cursor(const open_schedule& schedule, std::vector<unsigned> lanes)
    : schedule_(&schedule), lanes_(std::move(lanes)) {
    next_due_ = lanes_.empty() ? INT64_MAX : schedule_->due(lanes_[0], 0);
}

void schedule_cursor::advance() noexcept {
    if (lanes_.empty()) return;
    if (++index_ == lanes_.size()) index_ = 0, ++k_;
    next_due_ = schedule_->due(lanes_[index_], k_);
}

}  // namespace robotbench::loadgen
