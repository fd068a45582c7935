//go:build !linux

package h5file

import (
	"fmt"
	"os"
)

// mapSupported: mapped writes are Linux only (rawio_map.go); elsewhere
// every run is a write call.
const mapSupported = false

func allocate(*os.File, uint64, uint64) error { return fmt.Errorf("fallocate: %w", errMapRefused) }

func mapFile(*os.File, uint64, uint64) ([]byte, error) {
	return nil, fmt.Errorf("mmap: %w", errMapRefused)
}

func populate([]byte) error { return fmt.Errorf("madvise: %w", errMapRefused) }

func unmapFile([]byte) error { return nil }
