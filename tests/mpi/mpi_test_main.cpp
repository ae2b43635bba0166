// The main of the tests that run as the ranks of one mpirun: MPI around GoogleTest. Every rank
// runs every test; a failure on any rank fails mpirun.

#include <gtest/gtest.h>

#include "harness/mpi/mpi_session.hpp"

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    const robotbench::mpi::session mpi;
    return RUN_ALL_TESTS();
}
