package h5file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5core"
)

// File is an open HDF5 file: h5py's File. It is also its root group.
// A File is safe for use by one goroutine at a time; calls from several
// goroutines must be serialised by the caller, as with h5py.
type File struct {
	*rootGroup
	path     string
	mode     string
	os       *os.File
	model    *h5core.File
	readOnly bool
	closed   bool
	ctx      context.Context
	comm     *comm.Comm
	mu       sync.Mutex // guards closed against a Close racing a call
}

// rootGroup names the File's embedded root group so that its Group method
// (f.Group("a/b")) is promoted instead of hidden by a field called Group.
type rootGroup = Group

// Root is the file's root group "/".
func (f *File) Root() *Group { return f.rootGroup }

// Option configures Create and Open.
type Option func(*options)

type options struct {
	ctx  context.Context
	comm *comm.Comm
}

// WithContext sets the context that bounds every blocking call on the file
// (Flush, Close and, with a communicator, every collective metadata call).
// h5py's API has no context argument; a file-level context keeps the
// h5py shape (d.Write(x), not d.Write(ctx, x)) and still lets a caller
// cancel a job that hangs. Default: context.Background().
func WithContext(ctx context.Context) Option { return func(o *options) { o.ctx = ctx } }

// WithComm opens the file on every rank of c: the Go of h5py's
// File(path, mode, driver='mpio', comm=comm). Every metadata-changing call
// then becomes collective. With a nil communicator or one of size 1 the
// file is serial.
func WithComm(c *comm.Comm) Option { return func(o *options) { o.comm = c } }

// Create creates a file: mode "w" truncates an existing file, "w-" or "x"
// fails with ErrExists if it exists. Create(path) with no mode is "w".
func Create(path string, mode string, opts ...Option) (*File, error) {
	switch mode {
	case "", "w", "w-", "x":
	default:
		return nil, fmt.Errorf("h5file: Create %s with mode %q (use w, w- or x; Open takes r, r+ and a): %w", path, mode, ErrMode)
	}
	return Open(path, mode, opts...)
}

// Open opens a file with h5py's modes: "r" read-only (the default), "r+"
// read/write (must exist), "w" create or truncate, "w-"/"x" create and fail
// if it exists, "a" read/write if it exists and create otherwise.
func Open(path string, mode string, opts ...Option) (*File, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.ctx == nil {
		o.ctx = context.Background()
	}
	if err := o.ctx.Err(); err != nil {
		return nil, err
	}
	if mode == "" {
		mode = "r"
	}
	create := false
	flag := 0
	switch mode {
	case "r":
		flag = os.O_RDONLY
	case "r+":
		flag = os.O_RDWR
	case "w":
		flag, create = os.O_RDWR|os.O_CREATE|os.O_TRUNC, true
	case "w-", "x":
		flag, create = os.O_RDWR|os.O_CREATE|os.O_EXCL, true
	case "a":
		flag = os.O_RDWR
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			flag, create = os.O_RDWR|os.O_CREATE|os.O_EXCL, true
		}
	default:
		return nil, fmt.Errorf("h5file: open %s with mode %q: %w", path, mode, ErrMode)
	}
	f := &File{path: path, mode: mode, ctx: o.ctx, comm: o.comm, readOnly: mode == "r"}
	osf, err := f.openOS(flag)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("h5file: create %s with mode %q: file exists (use mode w to truncate): %w", path, mode, ErrExists)
		}
		return nil, fmt.Errorf("h5file: open %s: %w", path, err)
	}
	f.os = osf
	if create {
		f.model = h5core.NewFile()
	} else {
		st, err := osf.Stat()
		if err != nil {
			osf.Close()
			return nil, fmt.Errorf("h5file: open %s: %w", path, err)
		}
		m, err := h5core.Open(osf, st.Size())
		if err != nil {
			osf.Close()
			return nil, fmt.Errorf("h5file: open %s: %w", path, err)
		}
		f.model = m
		if !f.readOnly && m.Writable() != nil {
			osf.Close()
			return nil, fmt.Errorf("h5file: open %s for writing: %v (open it with mode r): %w", path, m.Writable(), ErrReadOnly)
		}
	}
	f.rootGroup = &Group{object: object{f: f, name: "/", core: f.model.Root()}, g: f.model.Root()}
	if create {
		// A new file is on disk (valid, empty) as soon as Create returns, as
		// with h5py.
		if err := f.flush(); err != nil {
			osf.Close()
			return nil, err
		}
	}
	return f, nil
}

// openOS opens the file on this process. With a communicator of more than
// one rank, rank 0 alone creates/truncates it and the others open the
// existing file after a barrier (so no rank truncates data another rank
// already wrote).
func (f *File) openOS(flag int) (*os.File, error) {
	if f.comm == nil || f.comm.Size() == 1 {
		return os.OpenFile(f.path, flag, 0o644)
	}
	var osf *os.File
	var err error
	if f.comm.Rank() == 0 {
		osf, err = os.OpenFile(f.path, flag, 0o644)
	}
	if berr := collectives.Barrier(f.ctx, f.comm); berr != nil {
		if osf != nil {
			osf.Close()
		}
		return nil, fmt.Errorf("h5file: open %s: waiting for rank 0 to create it: %w", f.path, berr)
	}
	if f.comm.Rank() != 0 {
		osf, err = os.OpenFile(f.path, flag&^(os.O_CREATE|os.O_TRUNC|os.O_EXCL), 0)
	}
	return osf, err
}

// Filename is the path the file was opened with.
func (f *File) Filename() string { return f.path }

// Mode is "r" for a read-only file and "r+" otherwise, as h5py reports it.
func (f *File) Mode() string {
	if f.readOnly {
		return "r"
	}
	return "r+"
}

// Comm is the file's communicator (nil for a serial file).
func (f *File) Comm() *comm.Comm { return f.comm }

// check is the guard at the top of every call: closed files and cancelled
// contexts stop here.
func (f *File) check() error {
	if f.closed {
		return ErrClosed
	}
	return f.ctx.Err()
}

func (f *File) checkWrite() error {
	if err := f.check(); err != nil {
		return err
	}
	if f.readOnly {
		return fmt.Errorf("h5file: %s was opened with mode r (open with r+ or a to write): %w", f.path, ErrReadOnly)
	}
	return nil
}

// Flush writes the metadata to disk (raw data is already there) so that the
// file on disk is complete and readable by h5dump while it stays open.
func (f *File) Flush() error {
	if err := f.check(); err != nil {
		return err
	}
	if f.readOnly {
		return nil
	}
	return f.flush()
}

func (f *File) flush() error {
	// Rule 5 of a parallel file: every rank's data writes are done before
	// rank 0 writes the metadata, and the metadata is on disk before any
	// rank's Flush returns.
	if err := f.barrier("Flush"); err != nil {
		return err
	}
	err := f.apply(metaOp{name: "Flush", path: "/", fn: func() error {
		if err := f.model.Flush(f.metaWriter()); err != nil {
			return fmt.Errorf("h5file: flush %s: %w", f.path, err)
		}
		return nil
	}})
	if err != nil {
		return err
	}
	return f.barrier("Flush")
}

// barrier waits for every rank of the file's communicator (no-op without one).
func (f *File) barrier(op string) error {
	if f.comm == nil || f.comm.Size() == 1 {
		return nil
	}
	if err := collectives.Barrier(f.ctx, f.comm); err != nil {
		return fmt.Errorf("h5file: %s %s: %w", op, f.path, err)
	}
	return nil
}

// Close flushes (for writable files) and closes the file. Every later call
// on the file or its objects returns ErrClosed. Closing twice is not an error.
func (f *File) Close() error {
	if f.closed {
		return nil
	}
	var err error
	if !f.readOnly {
		err = f.flush()
	}
	if cerr := f.os.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("h5file: close %s: %w", f.path, cerr)
	}
	f.closed = true
	return err
}
