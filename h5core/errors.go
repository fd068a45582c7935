package h5core

import (
	"errors"
	"fmt"
)

// ErrFormat is matched (errors.Is) by every error about malformed file
// contents, so callers can tell a bad file from a bad argument or an I/O
// failure.
var ErrFormat = errors.New("h5core: malformed HDF5 file")

// ErrUnsupported is matched by errors about valid HDF5 features this
// package does not implement yet.
var ErrUnsupported = errors.New("h5core: unsupported HDF5 feature")

// FormatError says where in the file a structure is malformed and why.
// Off is the absolute file offset of the offending structure or field.
type FormatError struct {
	Off int64  // file offset of the structure or field
	Msg string // what is wrong, in the spec's words where possible
	Val any    // the offending value, if any
}

func (e *FormatError) Error() string {
	if e.Val != nil {
		return fmt.Sprintf("h5core: malformed HDF5 file at offset %d: %s (%v)", e.Off, e.Msg, e.Val)
	}
	return fmt.Sprintf("h5core: malformed HDF5 file at offset %d: %s", e.Off, e.Msg)
}

// Is makes errors.Is(err, ErrFormat) true for every *FormatError.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }

func formatErr(off int64, msg string, val any) error {
	return &FormatError{Off: off, Msg: msg, Val: val}
}
