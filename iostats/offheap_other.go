//go:build !unix

package iostats

// offHeap has no mapping to give where the system is not unix: the
// records are then ordinary slices (offSlice makes them).
func offHeap[T any](n int) []T { return nil }

func freeOffHeap[T any](s []T) {}
