package h5core

import (
	"fmt"

	"github.com/gorun-hpc/gorun/filters/bitshuffle"
)

// FilterBitshuffle is the Bitshuffle plugin's registered filter id.
const FilterBitshuffle uint16 = 32008

// Bitshuffle compressions, as hdf5plugin.Bitshuffle's cname.
const (
	BitshuffleNone = bitshuffle.None
	BitshuffleLZ4  = bitshuffle.LZ4
	BitshuffleZstd = bitshuffle.Zstd
)

// Bitshuffle returns the Bitshuffle filter as
// hdf5plugin.Bitshuffle(nelems=blockSize, cname, clevel=level) sets it up:
// blockSize elements per block (0: about 8 KiB), comp one of
// BitshuffleNone, BitshuffleLZ4, BitshuffleZstd, level the Zstandard level.
func Bitshuffle(blockSize uint32, comp int, level int) Filter {
	cd := []uint32{blockSize, uint32(comp)}
	if comp == BitshuffleZstd {
		cd = append(cd, uint32(int32(level)))
	}
	return Filter{ID: FilterBitshuffle, Flags: FilterOptional, Name: bitshuffleCodec.ClassName, ClientData: cd}
}

// bitshuffleCodec is the Bitshuffle plugin's filter (filters/bitshuffle).
// Its set_local puts the plugin version (0.4) and the element size before
// the options, as bshuf_h5_set_local does.
var bitshuffleCodec = Codec{
	ID:        FilterBitshuffle,
	Name:      "bitshuffle",
	ClassName: "bitshuffle; see https://github.com/kiyo-masui/bitshuffle",
	Plugin:    "hdf5plugin / Debian bitshuffle",
	Encode: func(cd []uint32, src []byte) ([]byte, error) {
		out, err := bitshuffle.Encode(cd, src)
		if err != nil {
			return nil, fmt.Errorf("%w (%w)", err, ErrFormat)
		}
		return out, nil
	},
	Decode: func(cd []uint32, src []byte, max int) ([]byte, error) {
		out, err := bitshuffle.Decode(cd, src, max)
		if err != nil {
			return nil, fmt.Errorf("%w (%w)", err, ErrFormat)
		}
		return out, nil
	},
	SetLocal: func(cd []uint32, t *Datatype, _ []uint64) []uint32 {
		return append([]uint32{0, 4, t.Size}, cd...)
	},
}
