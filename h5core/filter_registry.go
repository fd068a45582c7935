package h5core

import (
	"errors"
	"fmt"
)

// Codec is one filter of the pipeline: how a chunk's bytes go through it in
// both directions, and how its client data (cd_values) are completed when a
// dataset is created, as the filter's libhdf5 plugin does in its set_local
// callback. A Codec is a static table entry: functions, no state.
//
// Adding a codec (one file, one line):
//
//  1. Write h5core/codec_<name>.go with the filter id constant, a
//     constructor returning its Filter (flags and client data as h5py or
//     hdf5plugin write them), and a package-level
//     `var <name>Codec = Codec{...}`. Put a heavy algorithm in its own
//     package under filters/ (filters/lzf, ...) and call it from Encode and
//     Decode; h5core may import filters/*, never the reverse.
//  2. Add `&<name>Codec,` to the codecs table in this file, in the block for
//     its branch (one codec per line, so parallel branches merge cleanly).
//  3. Tests: a table round trip in codec_<name>_test.go, a FuzzDecode<Name>
//     target, and interop tests against libhdf5 with the plugin.
type Codec struct {
	ID uint16
	// Name is the short name users know the filter by (h5py's
	// compression=, hdf5plugin's class name), used in errors.
	Name string
	// ClassName is the name the filter's libhdf5 class registers, which
	// libhdf5 stores in the pipeline message; "" stores none.
	ClassName string
	// Plugin says where libhdf5 users get the filter (for error text);
	// "" for filters built into libhdf5.
	Plugin string

	// Encode returns src run through the filter. It must not modify src
	// nor return it (callers reuse src). It returns an error matching
	// ErrIncompressible where the plugin would fail because the output
	// does not fit; EncodeChunk then skips the filter if it is optional.
	Encode func(cd []uint32, src []byte) ([]byte, error)
	// Decode reverses Encode. max is the most bytes the output may hold
	// (the chunk's decoded size for the first filter of the pipeline, a
	// little more for later ones); Decode must refuse, before allocating,
	// output that would exceed it. Malformed input is an error matching
	// ErrFormat, never a panic. It must not modify src.
	Decode func(cd []uint32, src []byte, max int) ([]byte, error)
	// DecodeInto, if set, is Decode writing into dst (len(dst) is max)
	// and returning the bytes written: DecodeChunkInto then decodes
	// straight into the caller's buffer, or into a pooled one, with no
	// allocation per chunk. Output that would not fit dst is an error
	// matching ErrFormat. It must not modify src.
	DecodeInto func(cd []uint32, src, dst []byte) (int, error)
	// SetLocal, if set, returns the client data to store for a dataset of
	// element type t and chunk shape chunk (in elements), given the client
	// data the caller asked for: it fills what the plugin's set_local
	// fills (element size, chunk bytes, ...). It must not modify cd.
	SetLocal func(cd []uint32, t *Datatype, chunk []uint64) []uint32
}

// ErrIncompressible is returned by a Codec's Encode when the filter fails
// because its output would not fit (LZF's output must be smaller than its
// input). libhdf5 skips an optional filter that fails, recording the skip
// in the chunk's filter mask; EncodeChunk does the same.
var ErrIncompressible = errors.New("h5core: filter output does not fit")

// codecs is every filter h5core encodes and decodes. One entry per line,
// grouped by the branch that adds them: parallel work merges without
// conflicts when each branch only adds lines to its own block.
var codecs = []*Codec{
	// Built into libhdf5.
	&deflateCodec,
	&shuffleCodec,
	&fletcher32Codec,

	// Built into libhdf5, added by branch codecs-b (N-bit, scale-offset, SZIP).
	&nbitCodec,
	&scaleOffsetCodec,
	&szipCodec,

	// Plugins, added by branch codecs (LZF, Blosc, LZ4, Zstandard, bzip2).
	&lzfCodec,
	&bloscCodec,
	&lz4Codec,
	&zstdCodec,
	&bzip2Codec,

	// Plugins, added by branch codecs-b (Bitshuffle).
	&bitshuffleCodec,
}

// LookupCodec returns the codec for filter id, or false if h5core has none.
func LookupCodec(id uint16) (*Codec, bool) {
	for _, c := range codecs {
		if c.ID == id {
			return c, true
		}
	}
	return nil, false
}

// knownFilter names a registered HDF5 filter id
// (https://github.com/HDFGroup/hdf5_plugins/blob/master/docs/RegisteredFilterPlugins.md)
// so that an unsupported one is reported by name, with where to get it.
type knownFilter struct {
	id     uint16
	name   string
	plugin string
}

var knownFilters = []knownFilter{
	{FilterDeflate, "deflate (gzip)", "libhdf5"},
	{FilterShuffle, "shuffle", "libhdf5"},
	{FilterFletcher32, "fletcher32", "libhdf5"},
	{FilterSZIP, "szip", "libhdf5 built with libaec/szip"},
	{FilterNbit, "nbit", "libhdf5"},
	{FilterScaleOffset, "scaleoffset", "libhdf5"},
	{257, "hzip", "hzip plugin"},
	{258, "fpzip", "fpzip plugin"},
	{305, "lzo", "PyTables"},
	{307, "bzip2", "PyTables / hdf5plugin / hdf5-filter-plugin"},
	{32000, "lzf", "h5py / hdf5-plugin-lzf"},
	{32001, "blosc", "hdf5plugin / hdf5-filter-plugin-blosc"},
	{32002, "mafisc", "MAFISC plugin"},
	{32003, "snappy", "snappy plugin"},
	{32004, "lz4", "hdf5plugin / hdf5-filter-plugin"},
	{32005, "apax", "APAX plugin"},
	{32006, "cbf", "CBF plugin"},
	{32007, "jpeg-xr", "JPEG-XR plugin"},
	{32008, "bitshuffle", "hdf5plugin / bitshuffle"},
	{32009, "spdp", "SPDP plugin"},
	{32010, "lpc-rice", "LPC-Rice plugin"},
	{32011, "ccsds-123", "CCSDS-123 plugin"},
	{32012, "jpeg-ls", "JPEG-LS plugin"},
	{32013, "zfp", "hdf5plugin / H5Z-ZFP"},
	{32014, "fpzip", "fpzip plugin"},
	{32015, "zstd", "hdf5plugin / HDF5-External-Filter-Plugins"},
	{32016, "b3d", "B3D plugin"},
	{32017, "sz", "hdf5plugin / SZ"},
	{32018, "fcidecomp", "FCIDECOMP plugin"},
	{32019, "jpeg", "hdf5plugin / HDF5Plugin-JPEG"},
	{32020, "vbz", "ONT VBZ plugin"},
	{32022, "bitgroom", "NCO / netCDF"},
	{32023, "granularbr", "NCO / netCDF"},
	{32024, "sz3", "hdf5plugin / SZ3"},
	{32025, "delta-rice", "delta-rice plugin"},
	{32026, "blosc2", "hdf5plugin / c-blosc2"},
	{32027, "flac", "FLAC plugin"},
	{32028, "sperr", "hdf5plugin / H5Z-SPERR"},
	{32029, "trpx", "TERSE/PROLIX plugin"},
	{32030, "ffmpeg", "FFMPEG plugin"},
}

// UnknownFilterError reports a filter h5core has no codec for: a dataset
// that uses it can be neither read nor written.
type UnknownFilterError struct {
	ID     uint16
	Stored string // the name stored in the file's pipeline message, if any
	Name   string // the registered name, if the id is a known one
	Plugin string // where libhdf5 users get it, if known
}

// Error names the filter, and where libhdf5 users get it when it is a
// registered one.
func (e *UnknownFilterError) Error() string {
	what := fmt.Sprintf("filter %d", e.ID)
	switch {
	case e.Name != "":
		what += fmt.Sprintf(" (%s, from %s)", e.Name, e.Plugin)
	case e.Stored != "":
		what += fmt.Sprintf(" (stored name %q, not a registered filter h5core knows)", e.Stored)
	default:
		what += " (not a registered filter h5core knows)"
	}
	return "h5core: " + what + " is not supported; rewrite the dataset with a supported filter (h5repack -f GZIP=4, or -f NONE) to read it here"
}

// Is makes errors.Is(err, ErrUnsupported) true for an *UnknownFilterError.
func (e *UnknownFilterError) Is(target error) bool { return target == ErrUnsupported }

func unknownFilter(f Filter) error {
	e := &UnknownFilterError{ID: f.ID, Stored: f.Name}
	for _, k := range knownFilters {
		if k.id == f.ID {
			e.Name, e.Plugin = k.name, k.plugin
		}
	}
	return e
}

// checkFilters reports the first filter of fs that h5core has no codec for.
func checkFilters(fs []Filter) error {
	for _, f := range fs {
		if _, ok := LookupCodec(f.ID); !ok {
			return unknownFilter(f)
		}
	}
	return nil
}

// setLocal returns a copy of fs with each filter's client data completed
// by its codec's SetLocal, as libhdf5 calls each filter's set_local when a
// dataset is created. fs must have passed checkFilters.
func setLocal(fs []Filter, t *Datatype, chunk []uint64) []Filter {
	out := make([]Filter, len(fs))
	for i, f := range fs {
		f.ClientData = append([]uint32(nil), f.ClientData...)
		c, _ := LookupCodec(f.ID)
		if c.SetLocal != nil {
			f.ClientData = c.SetLocal(f.ClientData, t, chunk)
		}
		if f.Name == "" {
			f.Name = c.ClassName
		}
		out[i] = f
	}
	return out
}
