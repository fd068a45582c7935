package h5file

import (
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// The compression filters of h5py and hdf5plugin, beside Gzip. Each writes
// the filter id and client data the libhdf5 plugin writes, so h5py with
// the plugin (or `import hdf5plugin`) reads the result, and each reads
// what the plugin wrote. Chunks are compressed after Shuffle and before
// Fletcher32, in the order the options are given.

// codecOptions holds the compression filters chosen with the options in
// this file, and the first invalid option, reported by CreateDataset.
type codecOptions struct {
	filters []h5core.Filter
	err     error
}

func (c *codecOptions) add(f h5core.Filter, err error) {
	if err != nil && c.err == nil {
		c.err = err
	}
	if err == nil {
		c.filters = append(c.filters, f)
	}
}

func (c *codecOptions) set() bool { return len(c.filters) > 0 || c.err != nil }

// pipeline is the dataset's filter pipeline in h5py's order: shuffle,
// deflate, the compressors chosen here, fletcher32.
func (o *dsetOptions) pipeline() ([]h5core.Filter, error) {
	if o.codecs.err != nil {
		return nil, o.codecs.err
	}
	fs := h5core.H5pyFilters(o.dtype.Size, o.shuffle, o.gzip-1, false)
	fs = append(fs, o.codecs.filters...)
	if o.fletcher32 {
		fs = append(fs, h5core.Fletcher32())
	}
	return fs, nil
}

// LZF compresses chunks with h5py's LZF filter (h5py's
// compression="lzf"): fast, a ratio somewhat below gzip's. Chunks that do
// not shrink are stored as they are.
func LZF() DatasetOption {
	return func(o *dsetOptions) { o.codecs.add(h5core.LZF(), nil) }
}

// BloscShuffle is the shuffle Blosc applies inside each block before
// compressing it (hdf5plugin.Blosc.NOSHUFFLE, SHUFFLE, BITSHUFFLE).
type BloscShuffle int

// Blosc shuffle modes.
const (
	BloscNoShuffle   BloscShuffle = 0 // bytes as they are
	BloscByteShuffle BloscShuffle = 1 // byte j of every element together (hdf5plugin's default)
	BloscBitShuffle  BloscShuffle = 2 // bit k of every element together
)

// Blosc compresses chunks with the Blosc filter (hdf5plugin.Blosc(cname,
// clevel, shuffle)): cname is blosclz, lz4, lz4hc, zlib or zstd (snappy is
// not supported), clevel 0..9 (hdf5plugin's default is 5).
func Blosc(cname string, clevel int, shuffle BloscShuffle) DatasetOption {
	return func(o *dsetOptions) { o.codecs.add(h5core.Blosc(cname, clevel, int(shuffle))) }
}

// Zstd compresses chunks with the Zstandard filter (hdf5plugin.Zstd(clevel)),
// level 1..22 (hdf5plugin's default is 3).
func Zstd(level int) DatasetOption {
	return func(o *dsetOptions) {
		if level < 1 || level > 22 {
			o.codecs.add(h5core.Filter{}, fmt.Errorf("h5file: Zstd level %d: want 1..22", level))
			return
		}
		o.codecs.add(h5core.Zstd(level), nil)
	}
}

// LZ4 compresses chunks with the LZ4 filter (hdf5plugin.LZ4()), one LZ4
// block per chunk.
func LZ4() DatasetOption {
	return func(o *dsetOptions) { o.codecs.add(h5core.LZ4(0), nil) }
}

// Bzip2 compresses chunks with the bzip2 filter (filter 307, h5py's
// compression=307, compression_opts=(level,)): level 1..9 sets the block
// size to level*100 kB; the plugin's default is 9.
func Bzip2(level int) DatasetOption {
	return func(o *dsetOptions) {
		if level < 1 || level > 9 {
			o.codecs.add(h5core.Filter{}, fmt.Errorf("h5file: Bzip2 level %d: want 1..9", level))
			return
		}
		o.codecs.add(h5core.Bzip2(level), nil)
	}
}

// Filters returns the dataset's filter pipeline in encoding order, as
// stored: ids, flags, names and client data (h5py's
// dcpl.get_filter(i) for each i).
func (d *Dataset) Filters() []h5core.Filter { return d.d.Filters() }
