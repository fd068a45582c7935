package h5file

import (
	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/internal/scratch"
)

// Reads of a selection that falls into many short runs of the file (a
// column of a row-major array, a block of a 3-D one) are sieved, as
// libhdf5's sieve buffer and ROMIO's data sieving do: runs close together
// are read as one span, gaps included, and copied out, instead of one
// pread per run (bench/serial/RESULTS.md, "Decisions measured").

// sieveMax bounds one sieved read (gaps included); a run of at least
// sieveDirect bytes is read straight into the caller's buffer.
const (
	sieveMax    = 1 << 20
	sieveDirect = 64 << 10
)

// sieve collects the runs of one storage unit (a contiguous dataset's
// data or one chunk, at base in the file) and reads them in spans.
type sieve struct {
	d    *Dataset
	base uint64
	buf  []byte // the selection's packed buffer
	runs []h5core.Run
}

// add takes the next run (offsets relative to base), reading what is
// pending first when r does not extend it.
func (s *sieve) add(r h5core.Run) error {
	if n := len(s.runs); n > 0 {
		first, last := s.runs[0], s.runs[n-1]
		if r.Off < last.Off+last.Len || r.Off+r.Len-first.Off > sieveMax {
			if err := s.flush(); err != nil {
				return err
			}
		}
	}
	if r.Len >= sieveDirect {
		if err := s.flush(); err != nil {
			return err
		}
		return s.d.readAllocated(s.buf[r.MemOff:r.MemOff+r.Len], s.base+r.Off, r.Off)
	}
	s.runs = append(s.runs, r)
	return nil
}

// flush reads the pending runs: one alone straight into place, several
// as one span.
func (s *sieve) flush() error {
	runs := s.runs
	s.runs = s.runs[:0]
	switch len(runs) {
	case 0:
		return nil
	case 1:
		r := runs[0]
		return s.d.readAllocated(s.buf[r.MemOff:r.MemOff+r.Len], s.base+r.Off, r.Off)
	}
	lo := runs[0].Off
	last := runs[len(runs)-1]
	span, done := scratch.Get[byte](int(last.Off + last.Len - lo))
	defer done()
	if err := s.d.readAllocated(span, s.base+lo, lo); err != nil {
		return err
	}
	for _, r := range runs {
		copy(s.buf[r.MemOff:r.MemOff+r.Len], span[r.Off-lo:])
	}
	return nil
}
