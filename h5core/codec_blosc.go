package h5core

import (
	"fmt"

	"github.com/gorun-hpc/gorun/filters/blosc"
)

// FilterBlosc is HDF5's registered Blosc filter (hdf5plugin.Blosc).
const FilterBlosc uint16 = 32001

// Blosc returns the Blosc filter as hdf5plugin.Blosc(cname, clevel,
// shuffle) adds it: cname one of blosclz, lz4, lz4hc, zlib, zstd; clevel
// 0..9; shuffle 0 (none), 1 (byte) or 2 (bit). Its client data are
// {0, 0, 0, 0, clevel, shuffle, compressor code}; CreateDataset fills the
// first four (filter revision 2, Blosc format 2, element size, chunk
// bytes) as the plugin's set_local does.
func Blosc(cname string, clevel, shuffle int) (Filter, error) {
	code, ok := blosc.Names[cname]
	if !ok || code == blosc.Snappy {
		return Filter{}, fmt.Errorf("h5core: Blosc compressor %q: want blosclz, lz4, lz4hc, zlib or zstd", cname)
	}
	if clevel < 0 || clevel > 9 {
		return Filter{}, fmt.Errorf("h5core: Blosc level %d: want 0..9", clevel)
	}
	if shuffle < 0 || shuffle > 2 {
		return Filter{}, fmt.Errorf("h5core: Blosc shuffle %d: want 0 (none), 1 (byte) or 2 (bit)", shuffle)
	}
	return Filter{ID: FilterBlosc, Flags: FilterOptional, Name: "blosc", ClientData: []uint32{0, 0, 0, 0, uint32(clevel), uint32(shuffle), uint32(code)}}, nil
}

// bloscOptions reads the client data as the plugin's filter function
// does: level 5, byte shuffle and BloscLZ unless given.
func bloscOptions(cd []uint32) blosc.Options {
	o := blosc.Options{TypeSize: 1, Level: 5, Shuffle: blosc.Shuffle, Codec: blosc.BloscLZ}
	if len(cd) > 2 {
		o.TypeSize = int(cd[2])
	}
	if len(cd) > 4 {
		o.Level = int(cd[4])
	}
	if len(cd) > 5 {
		o.Shuffle = int(cd[5])
	}
	if len(cd) > 6 {
		o.Codec = int(cd[6])
	}
	return o
}

var bloscCodec = Codec{
	ID:        FilterBlosc,
	Name:      "blosc",
	ClassName: "blosc",
	Plugin:    "hdf5plugin / hdf5-filter-plugin-blosc",
	Encode: func(cd []uint32, src []byte) ([]byte, error) {
		return blosc.Compress(src, bloscOptions(cd))
	},
	Decode: func(_ []uint32, src []byte, max int) ([]byte, error) {
		out, err := blosc.Decompress(src, max)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", err, ErrFormat)
		}
		return out, nil
	},
	SetLocal: func(cd []uint32, t *Datatype, chunk []uint64) []uint32 {
		out := make([]uint32, max(len(cd), 4))
		copy(out, cd)
		ts := t.Size
		if ts > 255 {
			ts = 1 // c-blosc treats larger elements as bytes
		}
		out[0], out[1], out[2], out[3] = 2, 2, ts, chunkBytes(t, chunk)
		return out
	},
}
