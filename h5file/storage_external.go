package h5file

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorun-hpc/gorun/h5core"
)

// External storage (libhdf5's H5Pset_external, h5py's external=): a
// contiguous dataset's bytes are the concatenation of segments of other
// files. Reads go straight to those files; bytes a segment's file does
// not hold (it is shorter) read as zeros, as libhdf5 reads them. Writing
// such a dataset is not supported.

// readExternal fills buf with the packed elements of selection h of a
// dataset with external storage.
func (d *Dataset) readExternal(segs []h5core.ExternalFile, h h5core.Hyperslab, buf []byte) error {
	files := map[string]*os.File{}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	open := func(name string) (*os.File, error) {
		if f, ok := files[name]; ok {
			return f, nil
		}
		p, err := d.f.findExternalData(name)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		files[name] = f
		return f, nil
	}
	es := uint64(d.d.Type().Size)
	return h5core.ContiguousRuns(d.d.Shape(), es, h, func(r h5core.Run) error {
		off, p := r.Off, buf[r.MemOff:r.MemOff+r.Len]
		start := uint64(0) // of the current segment in the data
		for _, s := range segs {
			if len(p) == 0 {
				return nil
			}
			if s.Size != h5core.Unlimited && off >= start+s.Size {
				start += s.Size
				continue
			}
			n := uint64(len(p))
			if s.Size != h5core.Unlimited {
				n = min(n, start+s.Size-off)
			}
			f, err := open(s.Name)
			if err != nil {
				return fmt.Errorf("external data file %s: %w", s.Name, err)
			}
			pos := s.Offset + off - start
			if pos > 1<<62 {
				return fmt.Errorf("external data file %s: offset %d: %w", s.Name, pos, h5core.ErrFormat)
			}
			k, err := f.ReadAt(p[:n], int64(pos))
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("external data file %s: %w", s.Name, err)
			}
			clear(p[k:n]) // past the end of the file: zeros
			p, off = p[n:], off+n
			if s.Size != h5core.Unlimited {
				start += s.Size
			}
		}
		if len(p) > 0 {
			return fmt.Errorf("%w: %s: external segments hold less than the dataspace's %d-byte elements need", h5core.ErrFormat, d.name, es)
		}
		return nil
	})
}

// findExternalData finds an external data file where libhdf5 looks: an
// absolute name as it is; a relative one under each directory of
// HDF5_EXTFILE_PREFIX (a ':' list, ${ORIGIN} the HDF5 file's directory),
// then in the working directory; then, beyond libhdf5, beside the HDF5
// file (where h5py users usually keep them).
func (f *File) findExternalData(name string) (string, error) {
	if filepath.IsAbs(name) {
		return name, nil
	}
	origin := filepath.Dir(f.path)
	var tried []string
	try := func(p string) bool {
		tried = append(tried, p)
		st, err := os.Stat(p)
		return err == nil && st.Mode().IsRegular()
	}
	for _, dir := range filepath.SplitList(os.Getenv("HDF5_EXTFILE_PREFIX")) {
		if dir == "" {
			continue
		}
		if p := filepath.Join(strings.ReplaceAll(dir, "${ORIGIN}", origin), name); try(p) {
			return p, nil
		}
	}
	for _, p := range []string{name, filepath.Join(origin, name)} {
		if try(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("not found (looked for %s; set HDF5_EXTFILE_PREFIX to add directories): %w", strings.Join(tried, ", "), ErrNotFound)
}
