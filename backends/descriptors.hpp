#pragma once
// The descriptor budget of a server process: whether what it needs still fits below its
// RLIMIT_NOFILE, and one line that says so when it does not.

#include <cerrno>
#include <stdexcept>
#include <string>
#include <string_view>

namespace robotbench {

// A server cannot have the descriptors it needs: its setup, or one client. what() is one line
// for the user, naming the limit.
class descriptor_shortage : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Descriptors this process holds now, counted below its descriptor limit. Any thread.
unsigned open_descriptors() noexcept;

// The soft RLIMIT_NOFILE of this process.
unsigned long descriptor_limit() noexcept;

// Opens and closes `count` descriptors to learn whether they can be had now. Throws
// descriptor_shortage when they cannot: "too few descriptors to serve a client (RLIMIT_NOFILE 6):
// the server holds 6 and needs 1 more for `for_what`; raise the limit to at least 7". Any thread.
void require_free_descriptors(unsigned count, std::string_view for_what);

// True for the errors that say the process or the system is out of descriptors.
constexpr bool is_descriptor_shortage(int error) noexcept { return error == EMFILE || error == ENFILE; }

// The one line for a setup step that failed with EMFILE or ENFILE: "too few descriptors to
// serve a client (RLIMIT_NOFILE 5): eventfd: Too many open files".
std::string describe_descriptor_shortage(std::string_view failure);

}  // namespace robotbench
