// Package runtime holds OSU-style benchmarks of the gorun runtime beside
// mpi4py over Open MPI: osu (Go, run under gorun), osu.py (mpi4py) and
// cmd/compare, which runs both and prints a markdown table of ratios.
package runtime
