#include "mpi_command.hpp"

#include <fmt/core.h>

#include <exception>
#include <optional>

#include "mpi_group.hpp"
#include "mpi_session.hpp"

namespace robotbench::mpi {

int run_as_rank(rank_command command, run_options options) {
    std::optional<session> mpi;
    try {
        mpi.emplace();
    } catch (const std::exception& e) {
        fmt::print(stderr, "robotbench: {}\n", e.what());
        return 1;
    }
    world_group group;
    try {
        return command(std::move(options), &group);
    } catch (const std::exception& e) {
        // Anything not caught below may have left the others in a collective.
        group.abort(e.what());
    }
}

}  // namespace robotbench::mpi
