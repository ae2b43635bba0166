#include "mpi_session.hpp"

#include <mpi.h>

#include <stdexcept>

namespace robotbench::mpi {

session::session() {
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        throw std::runtime_error("MPI_Init_thread failed");
}

session::~session() {
    MPI_Finalize();
}

std::string processor_name() {
    char name[MPI_MAX_PROCESSOR_NAME] = {};
    int length = 0;
    MPI_Get_processor_name(name, &length);
    return std::string(name, static_cast<std::size_t>(length));
}

}  // namespace robotbench::mpi
