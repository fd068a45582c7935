package h5core

import (
	"bytes"
	stdbzip2 "compress/bzip2"
	"fmt"
	"io"

	"github.com/dsnet/compress/bzip2"
)

// FilterBzip2 is HDF5's registered bzip2 filter (PyTables, hdf5plugin,
// hdf5-filter-plugin).
const FilterBzip2 uint16 = 307

// Bzip2 returns the bzip2 filter with block size level*100 kB, 1..9, as
// h5py's create_dataset(compression=307, compression_opts=(level,)) adds
// it (the plugin's default is 9).
func Bzip2(level int) Filter {
	return Filter{ID: FilterBzip2, Flags: FilterOptional, Name: bzip2Codec.ClassName, ClientData: []uint32{uint32(level)}}
}

// bzip2Codec: a plain bzip2 stream. The encoder is dsnet/compress's (Go's
// compress/bzip2 only decodes); the decoder is Go's.
var bzip2Codec = Codec{
	ID:        FilterBzip2,
	Name:      "bzip2",
	ClassName: "HDF5 bzip2 filter; see http://www.hdfgroup.org/services/contributions.html",
	Plugin:    "hdf5plugin / hdf5-filter-plugin / PyTables",
	Encode: func(cd []uint32, src []byte) ([]byte, error) {
		level := 9
		if len(cd) > 0 && cd[0] >= 1 && cd[0] <= 9 {
			level = int(cd[0])
		}
		var buf bytes.Buffer
		w, err := bzip2.NewWriter(&buf, &bzip2.WriterConfig{Level: level})
		if err != nil {
			return nil, fmt.Errorf("bzip2 level %d: %w", level, err)
		}
		if _, err := w.Write(src); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	},
	Decode: func(_ []uint32, src []byte, max int) ([]byte, error) {
		r := stdbzip2.NewReader(bytes.NewReader(src))
		out, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
		if err != nil {
			return nil, fmt.Errorf("bzip2: %v: %w", err, ErrFormat)
		}
		if len(out) > max {
			return nil, fmt.Errorf("bzip2 chunk decodes past %d bytes: %w", max, ErrFormat)
		}
		return out, nil
	},
}
