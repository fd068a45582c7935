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

// Error names the offset and what is wrong there.
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

// ErrExternalLink is matched by an *ExternalLinkError: a lookup reached
// an external link, which leads into another file that h5core does not
// open (h5file does).
var ErrExternalLink = errors.New("h5core: path leads through an external link")

// ExternalLinkError is a lookup's answer when its path reaches an
// external link: the caller opens File and looks up Target, then Rest
// below it.
type ExternalLinkError struct {
	Path   string // the path looked up
	Link   string // the part of Path up to and including the external link
	File   string // the link's file name, as stored
	Target string // the path in File the link names
	Rest   string // what is left of Path below the link ("" for the link itself)
}

// Error names the path, the external link on it and where the link leads.
func (e *ExternalLinkError) Error() string {
	return fmt.Sprintf("h5core: path %q: %q is an external link to %s:%s", e.Path, e.Link, e.File, e.Target)
}

// Is makes errors.Is(err, ErrExternalLink) true for every *ExternalLinkError.
func (e *ExternalLinkError) Is(target error) bool { return target == ErrExternalLink }
