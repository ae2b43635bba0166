#pragma once
// The error a user's settings cause, as opposed to a failure of the program: the harness turns
// it, and only it, into exit status 2 with its one-line message.

#include <stdexcept>

namespace robotbench {

// Settings that cannot run as asked (the message names the flag and what would work). Thrown by
// the checks of the load generator and the harness; caught where the harness picks the exit status.
class usage_error : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

}  // namespace robotbench
