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
	Decode:     inflate,
	DecodeInto: inflateInto,
}

// inflaters holds zlib readers for reuse: a new reader allocates its
// window and tables (tens of KiB) for every chunk otherwise.
var inflaters sync.Pool

// inflate decodes a zlib stream of at most max bytes into a new buffer
// (Codec.Decode); DecodeChunkInto uses inflateInto and no buffer of its own.
func inflate(_ []uint32, src []byte, max int) ([]byte, error) {
	out := make([]byte, max)
	n, err := inflateInto(nil, src, out)
	if err != nil {
		return nil, err
	}
	return out[:n], nil
}

// inflateInto decodes a zlib stream into dst, refusing a stream that
// holds more than len(dst) bytes. The zlib reader (window, tables, tens
// of KiB) comes from a pool, and the output goes where the caller says:
// the caller's own buffer when a chunk is whole in a read.
func inflateInto(_ []uint32, src, dst []byte) (int, error) {
	br := bytes.NewReader(src)
	var zr io.ReadCloser
	if r, ok := inflaters.Get().(io.ReadCloser); ok {
		if err := r.(zlib.Resetter).Reset(br, nil); err != nil {
			return 0, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
		}
		zr = r
	} else {
		r, err := zlib.NewReader(br)
		if err != nil {
			return 0, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
		}
		zr = r
	}
	defer inflaters.Put(zr)
	n := 0
	for n < len(dst) {
		m, err := zr.Read(dst[n:])
		n += m
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
		}
	}
	// Full: the stream must end here. One byte more means it goes on.
	var one [1]byte
	if m, err := zr.Read(one[:]); m > 0 {
		return 0, fmt.Errorf("h5core: chunk inflates past its %d bytes: %w", len(dst), ErrFormat)
	} else if err != nil && err != io.EOF {
		return 0, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
	}
	return n, nil
}
