// Package slurmtest proves that gorun programs start under Slurm's srun
// without gorun: ranks from SLURM_* variables, rank 0 serving the
// rendezvous, one HDF5 file from every task, a failed task reported to the
// others, and a clear error instead of N jobs of size 1 when there is no
// rendezvous. The tests need a running Slurm (.ci/slurm-setup.sh starts a
// one-node one); they skip without one, and fail under CI=true.
package slurmtest
