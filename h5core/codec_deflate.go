package h5core

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zlib"
)

// deflateCodec is libhdf5's H5Z_FILTER_DEFLATE: a zlib stream, cd_values
// {level}. klauspost/compress's zlib is byte-compatible with zlib's and
// several times faster than compress/zlib.
var deflateCodec = Codec{
	ID:        FilterDeflate,
	Name:      "gzip",
	ClassName: "deflate",
	Encode: func(cd []uint32, src []byte) ([]byte, error) {
		level := 6
		if len(cd) > 0 {
			level = int(min(cd[0], 9))
		}
		var buf bytes.Buffer
		zw, err := zlib.NewWriterLevel(&buf, level)
		if err != nil {
			return nil, fmt.Errorf("h5core: deflate level %d: %w", level, err)
		}
		zw.Write(src)
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("h5core: deflate: %w", err)
		}
		return buf.Bytes(), nil
	},
	Decode: inflate,
}

// inflaters holds zlib readers for reuse: a new reader allocates its
// window and tables (tens of KiB) for every chunk otherwise.
var inflaters sync.Pool

// inflate decodes a zlib stream of at most max bytes. The output is made
// once at max bytes (bounded by the caller: the chunk's decoded size) and
// filled in place, so a chunk costs one allocation and no copy,
// where growing a buffer with io.ReadAll copied and cleared it several
// times.
func inflate(_ []uint32, src []byte, max int) ([]byte, error) {
	br := bytes.NewReader(src)
	var zr io.ReadCloser
	if r, ok := inflaters.Get().(io.ReadCloser); ok {
		if err := r.(zlib.Resetter).Reset(br, nil); err != nil {
			return nil, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
		}
		zr = r
	} else {
		r, err := zlib.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
		}
		zr = r
	}
	defer inflaters.Put(zr)
	out := make([]byte, max)
	n := 0
	for n < max {
		m, err := zr.Read(out[n:])
		n += m
		if err == io.EOF {
			return out[:n], nil
		}
		if err != nil {
			return nil, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
		}
	}
	// Full: the stream must end here. One byte more means it goes on.
	var one [1]byte
	if m, err := zr.Read(one[:]); m > 0 {
		return nil, fmt.Errorf("h5core: chunk inflates past its %d bytes: %w", max, ErrFormat)
	} else if err != nil && err != io.EOF {
		return nil, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
	}
	return out, nil
}
