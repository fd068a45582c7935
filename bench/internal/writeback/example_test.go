package writeback_test

import "github.com/gorun-hpc/gorun/bench/internal/writeback"

// Before each timed run: the previous run's writes are on disk.
func ExampleSync() {
	writeback.Sync()
	// Output:
}
