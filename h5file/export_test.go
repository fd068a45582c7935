package h5file

import (
	"io"
	"os"
	"sync/atomic"
)

// CountSerialMetadata makes the serial files opened from now on count the
// metadata bytes their model reads (raw data does not pass there), and
// returns the counter and a function that stops counting.
func CountSerialMetadata() (read *atomic.Int64, stop func()) {
	read = new(atomic.Int64)
	count := func(f *os.File) io.ReaderAt { return countedReader{f, read} }
	old := serialMeta.Swap(&count)
	return read, func() { serialMeta.Store(old) }
}

type countedReader struct {
	r io.ReaderAt
	n *atomic.Int64
}

func (c countedReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}
