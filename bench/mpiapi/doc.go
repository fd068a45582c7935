// Package mpiapi holds the benchmarks of the MPI calls of issue 16
// (Sendrecv, nonblocking collectives and their overlap with computation)
// beside mpi4py on Open MPI: nbc/ is the gorun program, nbc.py the mpi4py
// one, run.py the one command that runs both; results in RESULTS.md.
package mpiapi
