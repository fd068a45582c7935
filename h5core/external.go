package h5core

import "fmt"

// ExternalFile is one segment of a dataset whose raw data lives in other
// files (libhdf5's H5Pset_external, h5py's external=): Size bytes at
// Offset in the file Name, the segments following one another in the
// dataset's element order. Size is Unlimited for a last segment that runs
// to the end of the data.
type ExternalFile struct {
	Name   string
	Offset uint64
	Size   uint64
}

// External returns the external storage of a contiguous dataset, nil if
// its data is in the HDF5 file itself. Names are as stored: libhdf5 looks
// for a relative name in the current directory (h5file also in the HDF5
// file's directory).
func (d *Dataset) External() []ExternalFile {
	return append([]ExternalFile(nil), d.external...)
}

// decodeExternal decodes an external data files message (spec IV.A.2.h):
// a local heap holding the names, and a slot per segment.
func (f *File) decodeExternal(m RawMessage) ([]ExternalFile, error) {
	c := newCursor(m.Data, m.Off, "external data files message")
	if v := c.u8(); v != 1 {
		c.fail("external data files message version", v)
	}
	c.skip(3)
	c.u16() // allocated slots
	used := int(c.u16())
	heap := c.u64()
	if c.err != nil {
		return nil, c.err
	}
	if used == 0 || used*24 > c.rest() {
		return nil, formatErr(m.Off, "external data files message with a slot count its size does not hold", used)
	}
	seg, err := f.readLocalHeap(heap)
	if err != nil {
		return nil, fmt.Errorf("external file names: %w", err)
	}
	out := make([]ExternalFile, used)
	for i := range out {
		nameOff := c.u64()
		out[i].Offset = c.u64()
		out[i].Size = c.u64()
		if c.err != nil {
			return nil, c.err
		}
		if out[i].Name, err = heapString(seg, nameOff, int64(heap)); err != nil {
			return nil, err
		}
		if out[i].Name == "" {
			return nil, formatErr(m.Off, "external data file without a name", i)
		}
		if out[i].Size == Unlimited && i != used-1 {
			return nil, formatErr(m.Off, "unlimited external segment before the last", i)
		}
	}
	return out, nil
}
