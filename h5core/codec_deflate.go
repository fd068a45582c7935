package h5core

import (
	"bytes"
	"fmt"
	"io"

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
	Decode: func(_ []uint32, src []byte, max int) ([]byte, error) {
		zr, err := zlib.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
		}
		// Read one byte past max to tell a chunk that ends there from one
		// that goes on; the buffer grows with the data, never past max+1.
		res, err := io.ReadAll(io.LimitReader(zr, int64(max)+1))
		if err != nil {
			return nil, fmt.Errorf("h5core: inflate chunk: %v: %w", err, ErrFormat)
		}
		if len(res) > max {
			return nil, fmt.Errorf("h5core: chunk inflates past its %d bytes: %w", max, ErrFormat)
		}
		return res, nil
	},
}
