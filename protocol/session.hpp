#pragma once
// One client's side of the robot protocol on the server, independent of any transport: bytes
// read from the client go in, reply bytes to send come out. Every backend drives this class and
// only decides how the bytes move.

#include <cstdint>
#include <span>
#include <vector>

#include "line_splitter.hpp"
#include "reply.hpp"

namespace robotbench::protocol {

// Per-connection bounds. Memory per session stays below max_line + max_output plus the replies
// to one read's worth of input.
struct session_limits {
    std::size_t max_line = default_max_line;      // longest payload accepted
    std::size_t max_output = default_max_output;  // pending output past which input pauses
};

// The server state of one connection. Not thread-safe: one thread (or process) at a time.
class session {
public:
    explicit session(const session_limits& limits = {});

    // Handles bytes read from the client: answers every complete line, in order, into the
    // output buffer. `online` is the count an `/online` line reports. Ignored once closing().
    // Returns the complete lines `data` finished (0 when it only added to an unfinished one),
    // which is what an idle timeout counts as the client's progress.
    std::size_t on_input(std::span<const char> data, std::int64_t online);

    // The client half-closed: the complete lines were answered; a trailing partial line is
    // dropped. The session is closing from now on.
    void on_eof();

    // Reply bytes not yet sent, oldest first.
    std::span<const char> output() const {
        return {out_.data() + out_pos_, out_.size() - out_pos_};
    }

    // Marks the first n bytes of output() as sent.
    void consume(std::size_t n);

    // True while the transport should read more: open, and pending output below the bound.
    bool wants_input() const { return !closing_ && output().size() < limits_.max_output; }

    // No more input will be handled (quit, error or EOF): flush the output, then close.
    bool closing() const { return closing_; }

    // Closing and every reply sent: the transport should close the connection now.
    bool finished() const { return closing_ && output().empty(); }

private:
    bool handle_line(std::string_view payload, std::int64_t online);
    void append(std::string_view bytes);

    session_limits limits_;
    line_splitter splitter_;
    std::vector<char> out_;
    std::size_t out_pos_ = 0;
    bool closing_ = false;
};

}  // namespace robotbench::protocol
