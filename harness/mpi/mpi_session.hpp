#pragma once
// MPI for the life of one robotbench process started by mpirun.

#include <string>

namespace robotbench::mpi {

// Initialises MPI on construction and finalises it on destruction. Construct once, on the main
// thread, which is then the only thread that calls MPI (MPI_THREAD_FUNNELED). Throws
// std::runtime_error when MPI cannot start.
class session {
  public:
    session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    ~session();
};

// This host's name as MPI reports it (MPI_Get_processor_name). After a session started.
std::string processor_name();

}  // namespace robotbench::mpi
