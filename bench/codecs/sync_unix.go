//go:build unix

package main

import "syscall"

// dropWrites writes back dirty pages before a timed run, so one side's
// writeback does not land in the other side's time.
func dropWrites() { syscall.Sync() }
