// Command ptest is the gorun scenario harness of h5file: each scenario is a
// parallel program (every rank runs it) that writes one HDF5 file, plus a
// Python check that h5py reads exactly what each rank wrote. Run one with
//
//	go run ./cmd/gorun -n 4 ./h5file/internal/ptest rows1d /tmp/rows1d.h5
//
// or several into a directory (dir/<name>.h5) with a comma list, and
// `ptest -list` prints the registry as JSON for h5file's gorun test
// (parallel_gorun_test.go). Scenarios live in scenario_*.go files and
// register themselves in init functions.
package main
