package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/gorun-hpc/gorun/h5file"
)

// codecs are the compressors the gzip case can use instead of deflate(4)
// (-codec), to compare them with h5py-mpio's deflate on the same write.
var codecs = map[string][]h5file.DatasetOption{
	"gzip":               {h5file.Gzip(4)},
	"shuffle+gzip":       {h5file.Shuffle(), h5file.Gzip(4)},
	"lzf":                {h5file.LZF()},
	"shuffle+lzf":        {h5file.Shuffle(), h5file.LZF()},
	"lz4":                {h5file.LZ4()},
	"shuffle+lz4":        {h5file.Shuffle(), h5file.LZ4()},
	"zstd":               {h5file.Zstd(3)},
	"blosc-lz4-shuffle":  {h5file.Blosc("lz4", 5, h5file.BloscByteShuffle)},
	"blosc-lz4-bitshuf":  {h5file.Blosc("lz4", 5, h5file.BloscBitShuffle)},
	"blosc-blosclz":      {h5file.Blosc("blosclz", 5, h5file.BloscByteShuffle)},
	"blosc-zstd-shuffle": {h5file.Blosc("zstd", 5, h5file.BloscByteShuffle)},
	"bitshuffle-lz4":     {h5file.Bitshuffle("lz4")},
	"bitshuffle-zstd":    {h5file.Bitshuffle("zstd")},
	"scaleoffset-3":      {h5file.ScaleOffset(3)},
}

func codecNames() string {
	var ns []string
	for n := range codecs {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return strings.Join(ns, ", ")
}

// codecOptions are the options for -codec ("" is deflate(4)); an unknown
// name ends the program.
func codecOptions(name string) []h5file.DatasetOption {
	if name == "" {
		name = "gzip"
	}
	opts, ok := codecs[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "gopar: unknown codec %q (want one of %s)\n", name, codecNames())
		os.Exit(2)
	}
	return opts
}

func caseName(o opts) string {
	if o.kase == "gzip" && o.codec != "" {
		return "gzip:" + o.codec
	}
	return o.kase
}
