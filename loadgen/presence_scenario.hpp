#pragma once
// The steps of the presence scenario (issue 3): clients open in waves and close in every way,
// and a control connection checks the server's `/online` count against what the generator knows.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "load.hpp"
#include "presence_control.hpp"
#include "presence_socket.hpp"

namespace robotbench::loadgen::presence_detail {

// One generated client that the server has surely accepted: it connected and got an echo.
struct open_client {
    unsigned id = 0;
    line_socket socket;
};

// The ways a client leaves, used in turn.
enum class close_way { fin, reset, quit, half_close };

// One presence run against one server. Every step records its checks and failures; once the
// control connection is lost the remaining steps do nothing. Used by one thread.
class scenario {
  public:
    // `baseline`: clients the server counted besides the control connection at the start.
    scenario(const presence_config& config, const address& to, control_connection control,
             std::int64_t baseline);

    // In a distributed run every step below is a collective: each rank takes it, in the same
    // order, even once its control connection is lost.
    // Opens one wave of clients and waits for every one to be accepted (one check).
    void open_wave(unsigned wave);
    // Closes `count` of the open clients, each way in turn, asking `/online` all the while: the
    // count must never fall below the clients not yet being closed (one check), and every
    // `/quit` and half-close must be answered by the server's close (one check).
    void close_some(std::size_t count, std::string_view when);
    // Asks `/online` until it is exact twice in a row, or fails once `settle` has passed since
    // the last change (one check). The time until it was first exact counts as a convergence
    // time when `timed`.
    void checkpoint(std::string_view when, bool timed = true);

    std::size_t open_count() const noexcept { return open_.size(); }
    bool control_lost() const noexcept { return control_lost_; }

    // Checks, failures and convergence times so far.
    presence_result result() const;

  private:
    // How long the server may take to answer a client before that counts as a failure.
    clock::duration answer_wait() const;
    std::int64_t expected() const;
    // The check of checkpoint(), between its two sync() steps.
    void check_count(std::string_view when, bool timed);
    // A distributed run: tells the other ranks that this one will have `mine` connections
    // counted and learns how many theirs will be (others_). A collective step; nothing alone.
    void sync(std::int64_t mine);
    void fail(std::string detail);
    void lose_control(std::string_view when, const online_answer& answer);

    presence_config config_;
    address to_;
    control_connection control_;
    std::int64_t baseline_;
    std::int64_t others_ = 0;                       // the other ranks' counted connections
    clock::time_point synced_{};                    // the last sync(): every rank's changes before
    std::vector<open_client> open_;                 // known open, oldest first
    unsigned next_id_ = 0;                          // id of the next client opened
    unsigned next_way_ = 0;                         // close_way of the next client closed
    clock::time_point last_change_ = clock::now();  // the generator's last open or close
    std::vector<std::chrono::nanoseconds> convergence_;
    unsigned checks_ = 0;
    std::vector<std::string> failures_;  // one line per failed check
    bool control_lost_ = false;
};

}  // namespace robotbench::loadgen::presence_detail
