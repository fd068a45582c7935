//go:build !unix

package main

// dropWrites does nothing where there is no sync(2); the benchmark is
// measured on Linux.
func dropWrites() {}
