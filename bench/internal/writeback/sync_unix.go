//go:build unix

package writeback

import "syscall"

func syncAll() { syscall.Sync() }
