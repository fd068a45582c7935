package h5file

import (
	"errors"
	"fmt"
	"io"

	"github.com/gorun-hpc/gorun/h5core"
)

// metaOp is one metadata-changing call. Every such call of the package goes
// through File.apply, the one place where a parallel file logs the call
// (name, path, args) so that ranks can check, in batches, that they all
// made the same calls in the same order (parallel_meta.go).
type metaOp struct {
	name string // h5py-style operation name, for errors: "CreateDataset"
	path string // object the call acts on
	args string // the other arguments, summarised for the op log ("" when serial)
	// lazy summarises arguments the model's digest covers, formatted only
	// for a mismatch report (a dataset's spec).
	lazy  func() string
	check bool // agree with every rank before applying it (Resize)
	fn    func() error
}

// call is how the op appears in the op log and in a mismatch error:
// CreateGroup("/x") or Resize("/d", [8 4]).
func (op metaOp) call() string { return op.entry().String() }

func (op metaOp) entry() logEntry {
	return logEntry{name: op.name, path: op.path, args: op.args, lazy: op.lazy}
}

// apply runs op against the model. Serial files just call it; a parallel
// file logs it first and checks agreement every checkEvery operations (or
// before applying it, for ops marked check).
func (f *File) apply(op metaOp) error {
	if err := f.checkWrite(); err != nil {
		return err
	}
	if f.par == nil {
		if err := op.fn(); err != nil {
			return mapErr(err)
		}
		return nil
	}
	if op.check {
		if err := f.checkpoint(op.call()); err != nil {
			return err
		}
		if err := op.fn(); err != nil {
			// Every rank applied the same call to the same model, so every
			// rank fails the same way: the models still agree.
			return mapErr(err)
		}
		return nil
	}
	i := f.par.record(op.entry())
	if err := op.fn(); err != nil {
		// The call is logged as failed: a rank on which it succeeded (its
		// model now differs) is found at the next agreement.
		f.par.log[i].failed = true
		return mapErr(err)
	}
	if len(f.par.log) >= checkEvery {
		return f.checkpoint("")
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
	if f.snap != nil {
		return f.snap // follow_write.go
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
