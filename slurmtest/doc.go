// Package slurmtest proves that gorun programs start under Slurm: with
// srun and no gorun (ranks from SLURM_* variables, rank 0 serving the
// rendezvous, one HDF5 file from every task, a failed task reported to
// the others, and a clear error instead of N jobs of size 1 when there is
// no rendezvous), on the machine's one-node Slurm (.ci/slurm-setup.sh)
// and on a real 3-node Slurm in network namespaces (multinode_test.go:
// srun and sbatch across nodes, ranks killed, a node that crashes or
// drops off the network mid-job). They skip without Slurm (or root, for
// the 3-node one), and fail under CI=true.
package slurmtest
