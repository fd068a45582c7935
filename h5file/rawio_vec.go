package h5file

import "os"

// Independent writes of a selection that falls into many runs in the file
// go through a vecWriter: runs that are adjacent in the file (whole chunks
// allocated one after another, rows of a chunk, held small writes) become
// one vectored write (pwritev on Linux) instead of one pwrite each.
// Nothing is read back and rewritten: ROMIO's write sieving
// (read-modify-write of the gaps) is unsafe without every writer taking
// locks, since another rank may write a gap between the read and the
// write. Runs with gaps between them therefore stay separate writes.

// vecMax bounds the buffers of one vectored write (IOV_MAX is 1024 on
// Linux).
const vecMax = 1024

// vecWriter gathers writes adjacent in the file and writes each group
// with one call. Buffers are referenced, not copied: they must not change
// until flush.
type vecWriter struct {
	f     *os.File
	file  *File // for preallocation (rawio_prealloc.go); nil: none
	off   int64 // file offset of iov[0]
	n     int64 // bytes in iov
	iov   [][]byte
	calls int // write calls made (tests)
}

// add queues p for file offset off, writing what is queued first when p
// does not continue it.
func (w *vecWriter) add(p []byte, off int64) error {
	if len(p) == 0 {
		return nil
	}
	if len(w.iov) > 0 && off == w.off+w.n {
		last := w.iov[len(w.iov)-1]
		if cap(last) > len(last) && &last[:len(last)+1][len(last)] == &p[0] {
			// Adjacent in memory too: one buffer.
			w.iov[len(w.iov)-1] = last[:len(last)+len(p)]
			w.n += int64(len(p))
			return nil
		}
		if len(w.iov) < vecMax {
			w.iov = append(w.iov, p)
			w.n += int64(len(p))
			return nil
		}
	}
	if err := w.flush(); err != nil {
		return err
	}
	w.off, w.n = off, int64(len(p))
	w.iov = append(w.iov, p)
	return nil
}

// flush writes what is queued.
func (w *vecWriter) flush() error {
	iov, off, n := w.iov, w.off, w.n
	w.iov, w.n = w.iov[:0], 0
	if len(iov) == 0 {
		return nil
	}
	if w.file != nil {
		if err := w.file.preallocate(off, n); err != nil {
			return err
		}
	}
	switch len(iov) {
	case 1:
		w.calls++
		_, err := w.f.WriteAt(iov[0], off)
		return err
	}
	for len(iov) > 0 {
		w.calls++
		n, err := writev(w.f, iov, off)
		if err != nil {
			return err
		}
		// A short write: go on from where it stopped.
		off += int64(n)
		for len(iov) > 0 && n >= len(iov[0]) {
			n -= len(iov[0])
			iov = iov[1:]
		}
		if len(iov) > 0 {
			iov[0] = iov[0][n:]
		}
	}
	return nil
}

// vecWriter returns a writer for one independent write of f's raw data.
func (f *File) vecWriter() *vecWriter { return &vecWriter{f: f.os, file: f} }

// doneWriting writes what w holds and counts its calls (tests).
func (f *File) doneWriting(w *vecWriter) error {
	err := w.flush()
	f.rawWriteCalls += w.calls
	return err
}
