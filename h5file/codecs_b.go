package h5file

import (
	"fmt"
	"reflect"

	"github.com/gorun-hpc/gorun/h5core"
)

// Bitshuffle, scale-offset and N-bit: the options of this file write the
// filter ids and client data that the Bitshuffle plugin (hdf5plugin) and
// libhdf5 write, so h5py reads the files, and read what they wrote. SZIP
// datasets (libhdf5 built with libaec) read too; SZIP is not written.

// codecsB holds the filters chosen with this file's options; CreateDataset
// puts them where h5py does: scale-offset and N-bit first, Bitshuffle with
// the compressors.
type codecsB struct {
	scaleOffset *int
	nbit        bool
	bitshuffle  []h5core.Filter
	err         error
}

func (c *codecsB) set() bool {
	return c.scaleOffset != nil || c.nbit || len(c.bitshuffle) > 0 || c.err != nil
}

// Bitshuffle transposes the bits of each chunk's elements and compresses
// them with cname "lz4" (hdf5plugin's default), "zstd" (level 3) or "none"
// (hdf5plugin.Bitshuffle(cname=...)), in blocks of about 8 KiB.
func Bitshuffle(cname string) DatasetOption {
	return BitshuffleBlocks(cname, 0, 3)
}

// BitshuffleBlocks is hdf5plugin.Bitshuffle(nelems, cname, clevel): blocks
// of nelems elements (a multiple of 8; 0: about 8 KiB), and the Zstandard
// level clevel (1..22) when cname is "zstd".
func BitshuffleBlocks(cname string, nelems int, clevel int) DatasetOption {
	return func(o *dsetOptions) {
		comp := map[string]int{"none": h5core.BitshuffleNone, "lz4": h5core.BitshuffleLZ4, "zstd": h5core.BitshuffleZstd}
		c, ok := comp[cname]
		switch {
		case !ok:
			o.codecsB.fail(fmt.Errorf("Bitshuffle cname %q: want lz4, zstd or none", cname))
		case nelems < 0 || nelems%8 != 0:
			o.codecsB.fail(fmt.Errorf("Bitshuffle nelems %d: want a multiple of 8 (0: the default)", nelems))
		case c == h5core.BitshuffleZstd && (clevel < 1 || clevel > 22):
			o.codecsB.fail(fmt.Errorf("Bitshuffle zstd level %d: want 1..22", clevel))
		default:
			o.codecsB.bitshuffle = append(o.codecsB.bitshuffle, h5core.Bitshuffle(uint32(nelems), c, clevel))
		}
	}
}

// ScaleOffset is h5py's scaleoffset= argument: libhdf5's scale-offset
// filter, first in the pipeline. For an integer dataset factor is the
// number of bits per value, 0 meaning as few as each chunk's range needs
// (lossless); for a float dataset it is the number of decimal digits kept
// (lossy: each value is stored as the chunk's minimum plus a whole number
// of 10^-factor, so it reads back within half of 10^-factor). Values equal to
// the fill value (zero unless FillValue says otherwise) are stored apart
// and read back exactly. As in h5py, it cannot be combined with Fletcher32.
func ScaleOffset(factor int) DatasetOption {
	return func(o *dsetOptions) {
		if factor < 0 {
			o.codecsB.fail(fmt.Errorf("ScaleOffset %d: want >= 0", factor))
			return
		}
		o.codecsB.scaleOffset = &factor
	}
}

// Nbit is libhdf5's N-bit filter (H5Pset_nbit; h5py has no argument for
// it): each value keeps only its datatype's precision bits, so a dataset
// whose type has Precision < 8*Size (a 12-bit integer in 2 bytes, made
// with WithDtype) is stored packed. For full-precision types it stores the
// values as they are.
func Nbit() DatasetOption {
	return func(o *dsetOptions) { o.codecsB.nbit = true }
}

func (c *codecsB) fail(err error) {
	if c.err == nil {
		c.err = fmt.Errorf("h5file: %w", err)
	}
}

// pipelineB returns fs (the pipeline of the other options, in h5py's
// order: shuffle, compressors, fletcher32) with this file's filters
// placed: scale-offset or N-bit first, Bitshuffle after the byte shuffle
// and before any other compressor (so Bitshuffle("none") then Gzip works
// as shuffle then gzip does). fill is the dataset's fill value (nil: zero).
func (o *dsetOptions) pipelineB(fs []h5core.Filter, fill []byte) ([]h5core.Filter, error) {
	c := &o.codecsB
	if c.err != nil {
		return nil, c.err
	}
	var out []h5core.Filter
	if c.scaleOffset != nil {
		if err := h5core.CheckScaleOffset(o.dtype); err != nil {
			return nil, err
		}
		if o.fletcher32 {
			return nil, fmt.Errorf("h5file: fletcher32 cannot be used with the lossy scale-offset filter (as in h5py)")
		}
		out = append(out, h5core.ScaleOffset(o.dtype.Class == h5core.ClassFloat, *c.scaleOffset, fill))
	}
	if c.nbit {
		out = append(out, h5core.Nbit())
	}
	at := 0
	for at < len(fs) && fs[at].ID == h5core.FilterShuffle {
		at++
	}
	out = append(out, fs[:at]...)
	out = append(out, c.bitshuffle...)
	return append(out, fs[at:]...), nil
}

// partialInt reports an integer type whose precision bits do not fill it
// (N-bit's use case): values are converted as libhdf5 converts them.
func partialInt(t *Datatype) bool {
	return t.Class == h5core.ClassInteger && (t.BitOffset != 0 || (t.Precision != 0 && uint32(t.Precision) < 8*t.Size))
}

func precisionMask(t *Datatype) uint64 {
	if t.Precision >= 64 {
		return ^uint64(0)
	}
	return 1<<t.Precision - 1
}

// toPrecision places value u (a Go integer, signed if signed) in the
// precision bits of t, clipped to its range as libhdf5's conversion clips.
func toPrecision(t *Datatype, u uint64, signed bool) uint64 {
	p := uint(t.Precision)
	if t.Signed {
		lo, hi := -int64(1)<<(p-1), int64(1)<<(p-1)-1
		v := int64(u)
		switch {
		case !signed && u > uint64(hi):
			v = hi
		case signed && v > hi:
			v = hi
		case signed && v < lo:
			v = lo
		}
		u = uint64(v)
	} else {
		max := precisionMask(t)
		switch {
		case signed && int64(u) < 0:
			u = 0
		case u > max:
			u = max
		}
	}
	return (u & precisionMask(t)) << t.BitOffset
}

// fromPrecision reads the precision bits of a stored integer, sign-extended
// for a signed type.
func fromPrecision(t *Datatype, u uint64) uint64 {
	u = (u >> t.BitOffset) & precisionMask(t)
	if t.Signed && t.Precision < 64 {
		s := 64 - uint(t.Precision)
		u = uint64(int64(u<<s) >> s)
	}
	return u
}

// goInt is the Go integer types a partial-precision integer dataset
// converts from and to without reflection.
type goInt interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// encodePartialInts is the fast path of encodeWith for a slice of Go
// integers stored as a partial-precision integer type (N-bit's case): the
// same conversion as codec.encode, element by element without reflection.
func encodePartialInts(v reflect.Value, t *Datatype, n uint64) ([]byte, bool) {
	if !partialInt(t) || v.Kind() != reflect.Slice || uint64(v.Len()) != n || !v.CanInterface() {
		return nil, false
	}
	switch xs := v.Interface().(type) {
	case []int8:
		return encodeInts(xs, t, true), true
	case []int16:
		return encodeInts(xs, t, true), true
	case []int32:
		return encodeInts(xs, t, true), true
	case []int64:
		return encodeInts(xs, t, true), true
	case []int:
		return encodeInts(xs, t, true), true
	case []uint8:
		return encodeInts(xs, t, false), true
	case []uint16:
		return encodeInts(xs, t, false), true
	case []uint32:
		return encodeInts(xs, t, false), true
	case []uint64:
		return encodeInts(xs, t, false), true
	case []uint:
		return encodeInts(xs, t, false), true
	}
	return nil, false
}

func encodeInts[T goInt](xs []T, t *Datatype, signed bool) []byte {
	size := int(t.Size)
	buf := make([]byte, len(xs)*size)
	for i, x := range xs {
		u := uint64(x) // a negative signed value sign-extends
		putUint(t, buf[i*size:], toPrecision(t, u, signed))
	}
	return buf
}

// decodePartialInts is the fast path of the read side: it fills a slice of
// Go integers from a partial-precision integer type as codec.decode does.
func decodePartialInts(v reflect.Value, t *Datatype, n uint64) (func([]byte) error, bool) {
	if !partialInt(t) || v.Kind() != reflect.Slice || uint64(v.Len()) != n || !v.CanInterface() {
		return nil, false
	}
	switch xs := v.Interface().(type) {
	case []int8:
		return decodeInts(xs, t), true
	case []int16:
		return decodeInts(xs, t), true
	case []int32:
		return decodeInts(xs, t), true
	case []int64:
		return decodeInts(xs, t), true
	case []int:
		return decodeInts(xs, t), true
	case []uint8:
		return decodeInts(xs, t), true
	case []uint16:
		return decodeInts(xs, t), true
	case []uint32:
		return decodeInts(xs, t), true
	case []uint64:
		return decodeInts(xs, t), true
	case []uint:
		return decodeInts(xs, t), true
	}
	return nil, false
}

func decodeInts[T goInt](xs []T, t *Datatype) func([]byte) error {
	size := int(t.Size)
	return func(buf []byte) error {
		for i := range xs {
			xs[i] = T(getUint(t, buf[i*size:])) // sign-extended for a signed type
		}
		return nil
	}
}
