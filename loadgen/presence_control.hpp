#pragma once
// The presence scenario's control connection: the one client that asks `/online`.

#include <cstdint>
#include <optional>
#include <string>

#include "presence_socket.hpp"

namespace robotbench::loadgen::presence_detail {

// How long a single `/online` question may go unanswered before the control connection counts
// as lost (or, on the first question, before `/online` counts as unsupported).
inline constexpr auto answer_timeout = std::chrono::seconds(1);

// The answer to one `/online` question.
struct online_answer {
    enum class kind {
        count,        // `online N`
        unsupported,  // the echo `====/online====`: the server does not implement `/online`
        malformed,    // any other line (a sign, no digits, an error): `line` holds it
        silent,       // nothing within the time allowed
        lost,         // the connection ended or failed; `line` says how
    };
    kind what = kind::silent;
    std::int64_t count = 0;
    std::string line;
    clock::time_point at{};  // when the answer arrived
};

// One line saying what went wrong with an answer that is not a count.
std::string describe(const online_answer& answer);

// Asks `/online` with one question in flight at a time. Owned and used by one thread.
class control_connection {
  public:
    // Connects within `timeout`. Throws std::runtime_error with a one-line reason.
    control_connection(const address& to, clock::duration timeout);

    // Sends one question. False when the connection is lost (the next answer says why).
    bool ask();
    // True while a question sent has not been answered.
    bool asking() const noexcept { return asking_; }

    // Reads what has arrived without waiting; the answer, once complete.
    std::optional<online_answer> try_answer();
    // Waits until `deadline` for the answer to the question in flight; `silent` if none came
    // (the question then stays in flight).
    online_answer wait_answer(clock::time_point deadline);
    // One question and its answer, waiting at most `timeout`.
    online_answer ask_and_wait(clock::duration timeout);

    // For poll(2) alongside other sockets: readable means try_answer() has news.
    int fd() const noexcept { return socket_.fd(); }

  private:
    line_socket socket_;
    bool asking_ = false;
    std::string lost_;  // why the connection is gone, once it is
};

}  // namespace robotbench::loadgen::presence_detail
