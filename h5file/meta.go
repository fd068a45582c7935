package h5file

import (
	"errors"
	"fmt"
	"io"

	"github.com/gorun-hpc/gorun/h5core"
)

// metaOp is one metadata-changing call. Every such call of the package goes
// through File.apply, the one place where a parallel file will check that
// all ranks made the same call (h5core's OpDigest hashes the model calls fn
// makes, so an op digest exchange needs nothing more here) before and
// after applying it to each rank's own model.
type metaOp struct {
	name string // h5py-style operation name, for errors: "CreateDataset"
	path string // object the call acts on
	fn   func() error
}

// apply runs op against the model. Serial files just call it; a parallel
// file (parallel_*.go) wraps it with the digest check.
func (f *File) apply(op metaOp) error {
	if err := f.checkWrite(); err != nil {
		return err
	}
	if err := op.fn(); err != nil {
		return mapErr(err)
	}
	return nil
}

// metaWriter is where Flush writes metadata. With a communicator only rank
// 0 writes; the others run the same Flush into a discarding writer so
// their allocators stay in step (h5core's rule).
func (f *File) metaWriter() io.WriterAt {
	if f.comm != nil && f.comm.Rank() != 0 {
		return discard{}
	}
	return f.os
}

type discard struct{}

func (discard) WriteAt(p []byte, off int64) (int, error) { return len(p), nil }

// mapErr turns h5core's read-only error into ours, so callers test one
// sentinel whatever made the file read-only.
func mapErr(err error) error {
	if errors.Is(err, h5core.ErrReadOnly) && !errors.Is(err, ErrReadOnly) {
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}
