package h5file

import (
	"bufio"
	"errors"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// ErrTooLarge is returned, before anything is allocated, by a read whose
// buffer would not fit in memory (h5py raises MemoryError): a dataset's
// declared size is not trusted. Read a selection (ReadSel) instead.
var ErrTooLarge = errors.New("h5file: too large to read into memory")

// maxReadBytes is the largest buffer one read may allocate: the memory
// the system has available (MemAvailable of /proc/meminfo) or the Go
// memory limit (GOMEMLIMIT, debug.SetMemoryLimit), whichever is smaller;
// 1 TiB where neither is known.
func maxReadBytes() uint64 {
	limit := uint64(1 << 40)
	if l := debug.SetMemoryLimit(-1); l > 0 && l < math.MaxInt64 {
		limit = min(limit, uint64(l))
	}
	if avail, ok := memAvailable(); ok {
		limit = min(limit, avail)
	}
	return limit
}

// memAvailable reads MemAvailable from /proc/meminfo (Linux).
func memAvailable() (uint64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		rest, ok := strings.CutPrefix(s.Text(), "MemAvailable:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil || kb > math.MaxUint64/1024 {
			return 0, false
		}
		return kb * 1024, true
	}
	return 0, false
}

// alwaysAllowed is a buffer size checkAlloc lets through without asking
// the system: any machine that runs Go has it.
const alwaysAllowed = 1 << 20

// checkAlloc refuses a buffer of n elements of size bytes that exceeds
// maxReadBytes (or overflows), naming what was read.
func checkAlloc(n, size uint64, what string) error {
	if size != 0 && n > math.MaxUint64/size {
		return opErrf("read", what, "%d elements of %d bytes overflow: %w", n, size, ErrTooLarge)
	}
	if n*size <= alwaysAllowed {
		return nil // reading /proc/meminfo costs more than such a read
	}
	if need, have := n*size, maxReadBytes(); need > have {
		return opErrf("read", what, "%d elements of %d bytes need %d bytes, more than the %d available (read a selection with ReadSel): %w", n, size, need, have, ErrTooLarge)
	}
	return nil
}
