package h5file

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gorun-hpc/gorun/h5core"
)

var (
	// ErrClosed is returned by every call on a File (or an object of it)
	// after Close: reopen the file to go on.
	ErrClosed = errors.New("h5file: file is closed")
	// ErrReadOnly is returned by writes to a file opened with mode "r" (or a
	// file whose format is read-only here): open it with "r+" or "a".
	ErrReadOnly = errors.New("h5file: file is read-only")
	// ErrExists is returned when a name is already taken (or, for mode "w-",
	// the file already exists). Errors matching it also match
	// h5core.ErrExists, and the other way round.
	ErrExists error = &coreSentinel{"h5file: name already exists", h5core.ErrExists}
	// ErrNotFound is returned when a path names nothing. Errors matching it
	// also match h5core.ErrNotFound, and the other way round.
	ErrNotFound error = &coreSentinel{"h5file: not found", h5core.ErrNotFound}
	// ErrType is returned when a Go value cannot be converted to or from a
	// dataset's or attribute's HDF5 type.
	ErrType = errors.New("h5file: type mismatch")
	// ErrShape is returned when a buffer's length does not match the
	// selection or dataset it is read from or written to.
	ErrShape = errors.New("h5file: shape mismatch")
	// ErrMode is returned by Create/Open for an unknown mode string.
	ErrMode = errors.New("h5file: unknown mode (use r, r+, w, w-, x or a)")
	// ErrOption: an Option's value makes no sense (WithAlignment,
	// WithAggregators).
	ErrOption = errors.New("h5file: bad option")
)

// coreSentinel is an h5file sentinel that stands for an h5core one: its
// own text, and errors.Is(ErrExists, h5core.ErrExists) holds. An h5core
// error reaches the caller inside an *OpError, whose Is matches the
// h5file sentinel too.
type coreSentinel struct {
	msg  string
	core error
}

func (e *coreSentinel) Error() string        { return e.msg }
func (e *coreSentinel) Is(target error) bool { return target == e.core }

// OpError is the error of an operation on a file or an object in it, as
// os.PathError is for the os package: "h5file: write /grid/temp: ...".
// It wraps the cause: errors.Is(err, ErrShape) and errors.As(err, &opErr)
// both work. Errors of the parallel machinery that concern the whole file
// (agreeing on metadata, a rank that gave up) are not OpErrors; they name
// the file themselves.
type OpError struct {
	Op   string // "open", "create", "flush", "close", "write", "read", "create dataset", ...
	Path string // the file's path for open, create, flush and close; the object's path in the file otherwise
	Err  error
}

// Error is "h5file: op path: cause", h5core's sentinels in the cause
// worded as h5file's.
func (e *OpError) Error() string {
	msg := e.Err.Error()
	// h5core's sentinels read as h5file's: the caller uses h5file.
	for _, s := range []*coreSentinel{ErrExists.(*coreSentinel), ErrNotFound.(*coreSentinel)} {
		msg = strings.Replace(msg, s.core.Error(), s.msg, 1)
	}
	return "h5file: " + e.Op + " " + e.Path + ": " + msg
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *OpError) Unwrap() error { return e.Err }

// Is matches h5file's ErrExists and ErrNotFound for a cause that is
// h5core's (h5core knows nothing of h5file's sentinels).
func (e *OpError) Is(target error) bool {
	if s, ok := target.(*coreSentinel); ok {
		return errors.Is(e.Err, s.core)
	}
	return false
}

// opErr wraps err as the error of op on path, once: an *OpError about the
// same path is returned as it is (its Op is the more precise).
func opErr(op, path string, err error) error {
	if oe, ok := err.(*OpError); ok && oe.Path == path {
		return err
	}
	return &OpError{Op: op, Path: path, Err: err}
}

// opErrf is opErr of fmt.Errorf(format, args...).
func opErrf(op, path, format string, args ...any) error {
	return &OpError{Op: op, Path: path, Err: fmt.Errorf(format, args...)}
}
