// Package writeback writes the system's dirty pages back between benchmark
// runs, so that a run does not pay for the writeback of the one before.
package writeback

// Sync writes back every dirty page of the system where it can: sync(2)
// on Unix (sync_unix.go); on Windows, which has no system-wide sync (only
// FlushFileBuffers per open file), it does nothing and runs are not
// separated by writeback.
func Sync() { syncAll() }
