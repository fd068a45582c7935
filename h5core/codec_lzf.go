package h5core

import (
	"errors"
	"fmt"

	"github.com/gorun-hpc/gorun/filters/lzf"
)

// FilterLZF is h5py's LZF filter (compression="lzf").
const FilterLZF uint16 = 32000

// LZF returns h5py's LZF filter as h5py's create_dataset(compression="lzf")
// adds it: optional (a chunk that does not shrink is stored unfiltered,
// its bit set in the chunk's filter mask). CreateDataset fills its client
// data as h5py's lzf_set_local does.
func LZF() Filter {
	return Filter{ID: FilterLZF, Flags: FilterOptional, Name: "lzf"}
}

// lzfCodec: cd_values {filter revision 4, liblzf version 0x0105, chunk
// bytes}; the stream is bare liblzf output.
var lzfCodec = Codec{
	ID:        FilterLZF,
	Name:      "lzf",
	ClassName: "lzf",
	Plugin:    "h5py / hdf5-plugin-lzf",
	Encode: func(_ []uint32, src []byte) ([]byte, error) {
		out, err := lzf.Compress(src, len(src))
		if errors.Is(err, lzf.ErrTooLarge) {
			return nil, ErrIncompressible
		}
		return out, err
	},
	Decode: func(_ []uint32, src []byte, max int) ([]byte, error) {
		out, err := lzf.Decompress(src, max)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", err, ErrFormat)
		}
		return out, nil
	},
	SetLocal: func(_ []uint32, t *Datatype, chunk []uint64) []uint32 {
		return []uint32{4, 0x0105, chunkBytes(t, chunk)}
	},
}

// chunkBytes is the decoded size of a chunk, which several plugins record
// in their client data (CreateDataset has checked it fits 32 bits).
func chunkBytes(t *Datatype, chunk []uint64) uint32 {
	n := uint64(t.Size)
	for _, c := range chunk {
		n *= c
	}
	return uint32(n)
}
