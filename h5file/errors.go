package h5file

import (
	"errors"

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
	// the file already exists).
	ErrExists = h5core.ErrExists
	// ErrNotFound is returned when a path names nothing.
	ErrNotFound = h5core.ErrNotFound
	// ErrType is returned when a Go value cannot be converted to or from a
	// dataset's or attribute's HDF5 type.
	ErrType = errors.New("h5file: type mismatch")
	// ErrShape is returned when a buffer's length does not match the
	// selection or dataset it is read from or written to.
	ErrShape = errors.New("h5file: shape mismatch")
	// ErrMode is returned by Create/Open for an unknown mode string.
	ErrMode = errors.New("h5file: unknown mode (use r, r+, w, w-, x or a)")
)
