//go:build !linux

package comm

import (
	"errors"
	"runtime"
)

// Shared-memory streams are Linux-only (shm_linux.go); elsewhere every
// peer is reached over TCP.
const shmSupported = false

// shmDir names where segments would live (HostSegmentPath); nothing is
// created there off Linux.
const shmDir = "/dev/shm/"

var errNoShm = errors.New("comm: shared-memory streams need Linux")

func createShm(string, int) ([]byte, error) { return nil, errNoShm }
func openShm(string, int) ([]byte, error)   { return nil, errNoShm }
func unlinkShm(string)                      {}
func unmapShm([]byte) error                 { return errNoShm }
func osYield()                              {}

func cpuLayout() (online int, pinned bool) { return runtime.NumCPU(), false }
