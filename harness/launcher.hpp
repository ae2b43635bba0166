#pragma once
// Whether an MPI launcher (mpirun, mpiexec, srun) started this process: read from the variables
// the launcher gives every process it starts. Needs no MPI.

namespace robotbench {

// The number of processes the launcher started (OMPI_COMM_WORLD_SIZE of Open MPI, PMI_SIZE of
// MPICH's Hydra and Slurm, PMIX_SIZE of PMIx); 0 when no launcher started this one.
int launcher_world_size();

}  // namespace robotbench
