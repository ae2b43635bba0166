#pragma once
// Reply validation for one connection: every reply line must be the echo of the oldest request in
// flight. Wrong, reordered, missing and timed-out replies are counted by kind.

#include <cstdint>
#include <string_view>

#include "in_flight_ring.hpp"
#include "load.hpp"
#include "payload.hpp"

namespace robotbench::loadgen {

// What one reply line was.
enum class reply_kind {
    ok,     // the echo of the oldest request in flight
    early,  // the correct echo of a later request, which overtook older ones; still a valid reply
    late,   // the echo of a request that a later reply had overtaken: counted as reordered
    wrong,  // the echo of no request in flight: counted as wrong; it stands for the oldest one
};

// A reply's kind and, for ok/early, the times of the request it answered.
struct reply_verdict {
    reply_kind kind = reply_kind::wrong;
    std::int64_t intended_ns = 0;
    std::int64_t sent_ns = 0;
};

// The in-flight FIFO of one connection and the rules that judge its replies:
// - a reply matching the oldest request is ok;
// - a reply matching a later request is valid but marks the older ones overtaken; an overtaken
//   request whose reply still comes counts as reordered, one whose reply never comes as missing;
// - a reply matching no request is wrong and takes the oldest request's place;
// - requests left when the server closes or resets count as missing.
// Used by the connection's thread only; errors go into the caller's counts.
class reply_validator {
  public:
    explicit reply_validator(std::size_t capacity = 16) : ring_(capacity) {}

    // Records a request just written. Never allocates once the ring is large enough.
    void sent(std::uint64_t seq, std::int64_t intended_ns, std::int64_t sent_ns) {
        ring_.push_back({seq, intended_ns, sent_ns, false});
        ++awaited_;
    }

    // Judges one reply line (without its LF). `payloads` holds the expected payloads.
    reply_verdict on_reply(std::string_view line, payload_builder& payloads, error_counts& errors);

    // The common case in one comparison: when `bytes` is exactly the reply line, LF included,
    // to the oldest request in flight and no later reply overtook that request, takes it off and
    // returns true with its verdict (ok) in `out`, as on_reply would have; otherwise changes
    // nothing and returns false, and the line is for on_reply to judge.
    bool take_exact(std::string_view bytes, payload_builder& payloads,
                    reply_verdict& out) noexcept {
        if (ring_.empty()) return false;
        const in_flight& first = ring_[0];
        if (first.overtaken || !payloads.is_reply_line(bytes, first.seq)) return false;
        out = {reply_kind::ok, first.intended_ns, first.sent_ns};
        ring_.pop_front();
        --awaited_;
        return true;
    }

    // The server ended the connection: every request in flight is missing.
    void abandon_missing(error_counts& errors) noexcept;
    // We gave up waiting: overtaken requests are missing, the others timed out.
    void abandon_timed_out(error_counts& errors) noexcept;

    std::size_t in_flight_count() const noexcept { return ring_.size(); }
    // Requests in flight that have not been overtaken (those a reply may still come for in order).
    std::size_t awaited() const noexcept { return awaited_; }
    // Calls f(const in_flight&) for each request in flight that has not been overtaken, oldest
    // first.
    template <class F>
    void for_each_awaited(F&& f) const {
        for (std::size_t i = 0; i < ring_.size(); ++i)
            if (!ring_[i].overtaken) f(ring_[i]);
    }
    // The oldest request in flight, or nullptr.
    const in_flight* oldest() const noexcept { return ring_.empty() ? nullptr : &ring_[0]; }
    void clear() noexcept { ring_.clear(), awaited_ = 0; }

  private:
    in_flight_ring ring_;
    std::size_t awaited_ = 0;  // entries not overtaken
};

}  // namespace robotbench::loadgen
