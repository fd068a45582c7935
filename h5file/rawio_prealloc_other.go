//go:build !linux

package h5file

import "os"

// preallocFS: preallocation is Linux only (rawio_prealloc.go).
func preallocFS(*os.File) bool { return false }
