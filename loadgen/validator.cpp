// Judging replies against the in-flight FIFO.

#include "validator.hpp"

namespace robotbench::loadgen {

reply_verdict reply_validator::on_reply(std::string_view line, payload_builder& payloads,
                                        error_counts& errors) {
    if (ring_.empty()) {
        ++errors.wrong;
        return {};
    }
    const in_flight first = ring_[0];
    if (payloads.is_echo(line, first.seq)) {
        ring_.pop_front();
        if (first.overtaken) {
            ++errors.reordered;
            return {reply_kind::late, first.intended_ns, first.sent_ns};
        }
        --awaited_;
        return {reply_kind::ok, first.intended_ns, first.sent_ns};
    }
    for (std::size_t i = 1; i < ring_.size(); ++i) {
        const in_flight later = ring_[i];
        if (!payloads.is_echo(line, later.seq)) continue;
        for (std::size_t j = 0; j < i; ++j) {
            if (!ring_[j].overtaken) --awaited_;
            ring_[j].overtaken = true;
        }
        if (!later.overtaken) --awaited_;
        ring_.erase(i);
        if (later.overtaken) {
            ++errors.reordered;
            return {reply_kind::late, later.intended_ns, later.sent_ns};
        }
        return {reply_kind::early, later.intended_ns, later.sent_ns};
    }
    ++errors.wrong;
    if (!first.overtaken) --awaited_;
    ring_.pop_front();
    return {};
}

void reply_validator::abandon_missing(error_counts& errors) noexcept {
    errors.missing += ring_.size();
    clear();
}

void reply_validator::abandon_timed_out(error_counts& errors) noexcept {
    const std::size_t overtaken = ring_.size() - awaited_;
    errors.missing += overtaken;
    errors.timeout += awaited_;
    clear();
}

}  // namespace robotbench::loadgen
