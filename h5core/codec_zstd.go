package h5core

import (
	"fmt"

	"github.com/gorun-hpc/gorun/filters/zstd"
)

// FilterZstd is HDF5's registered Zstandard filter (hdf5plugin.Zstd).
const FilterZstd uint16 = 32015

// Zstd returns the Zstandard filter as hdf5plugin.Zstd(clevel) adds it:
// client data {level}, 1..22 (hdf5plugin's default is 3). Each chunk is
// one Zstandard frame that records its decoded size, as the plugin's
// decoder requires.
func Zstd(level int) Filter {
	return Filter{ID: FilterZstd, Flags: FilterOptional, Name: zstdCodec.ClassName, ClientData: []uint32{uint32(level)}}
}

var zstdCodec = Codec{
	ID:        FilterZstd,
	Name:      "zstd",
	ClassName: "Zstandard compression: http://www.zstd.net",
	Plugin:    "hdf5plugin / HDF5Plugin-Zstandard",
	Encode: func(cd []uint32, src []byte) ([]byte, error) {
		level := 3
		if len(cd) > 0 && cd[0] > 0 {
			level = int(min(cd[0], zstd.MaxLevel))
		}
		return zstd.Compress(src, level)
	},
	Decode: func(_ []uint32, src []byte, max int) ([]byte, error) {
		out, err := zstd.Decompress(src, max)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", err, ErrFormat)
		}
		return out, nil
	},
}
