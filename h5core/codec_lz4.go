package h5core

import (
	"fmt"

	"github.com/gorun-hpc/gorun/filters/lz4h5"
)

// FilterLZ4 is HDF5's registered LZ4 filter (hdf5plugin.LZ4).
const FilterLZ4 uint16 = 32004

// LZ4 returns the LZ4 filter as hdf5plugin.LZ4(nbytes) adds it: client
// data {block size in bytes}, 0 meaning the plugin's default of 1 GiB
// (one block per chunk).
func LZ4(blockSize uint32) Filter {
	return Filter{ID: FilterLZ4, Flags: FilterOptional, Name: lz4Codec.ClassName, ClientData: []uint32{blockSize}}
}

var lz4Codec = Codec{
	ID:        FilterLZ4,
	Name:      "lz4",
	ClassName: "HDF5 lz4 filter; see http://www.hdfgroup.org/services/contributions.html",
	Plugin:    "hdf5plugin / hdf5-filter-plugin",
	Encode: func(cd []uint32, src []byte) ([]byte, error) {
		bs := 0
		if len(cd) > 0 {
			bs = int(cd[0])
		}
		return lz4h5.Compress(src, bs)
	},
	Decode: func(_ []uint32, src []byte, max int) ([]byte, error) {
		out, err := lz4h5.Decompress(src, max)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", err, ErrFormat)
		}
		return out, nil
	},
}
