package h5core

import "io"

// A file may begin with a user block: bytes an application keeps for
// itself (h5py's userblock_size, H5Pset_userblock), 512 bytes or a larger
// power of two. The superblock then starts after it, and every address in
// the file is relative to the superblock's start (the base address).
// libhdf5 looks for the signature at 0, 512, 1024, 2048, ... (H5FD_locate_signature);
// so does locateSignature.

// locateSignature returns the offset of the HDF5 signature: 0 or a power
// of two from 512 on, below size.
func locateSignature(r io.ReaderAt, size int64) (int64, error) {
	var b [8]byte
	for at := int64(0); at+int64(len(b)) <= size; {
		if _, err := r.ReadAt(b[:], at); err != nil {
			return 0, formatErr(at, "unreadable while looking for the HDF5 signature", err.Error())
		}
		if string(b[:]) == signature {
			return at, nil
		}
		if at == 0 {
			at = 512
		} else {
			at *= 2
		}
	}
	return 0, formatErr(0, "no HDF5 signature at 0, 512, 1024, ... (not an HDF5 file)", nil)
}

// Base returns the file offset of the superblock, to which every address
// of the file is relative: the size of the user block, 0 without one.
// DataAddr, Chunk and Chunks return offsets in the whole file (base
// included), so raw data is read at them as they are.
func (f *File) Base() uint64 { return f.base }

// baseWriter writes the HDF5 part of a file with a user block: address a
// goes to file offset base+a, so the user block itself is never touched.
type baseWriter struct {
	w    io.WriterAt
	base int64
}

func (b *baseWriter) WriteAt(p []byte, off int64) (int, error) {
	return b.w.WriteAt(p, b.base+off)
}
