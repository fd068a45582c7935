// Package parallel holds gorun's parallel HDF5 benchmarks beside h5py's
// mpio driver over Open MPI (issue 4): aggregate write throughput of a
// shared float64 dataset (independent and collective, with and without a
// flush before close, and a raw pwrite of the same bytes by as many
// processes), metadata-heavy creation, h5bench's VPIC-IO write kernel and
// a compressed collective write. gopar is the Go side (run under gorun),
// h5py_par.py the Python side (run under mpiexec), and cmd/compare runs
// both in one run, alternating, and writes a markdown table and an SVG.
//
//	go run ./bench/parallel/cmd/compare -runs 7
package parallel
