package scaleoffset

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gorun-hpc/gorun/filters/internal/msbits"
)

// Encode compresses src, one chunk of nelmts elements in the dataset's
// byte order, as libhdf5's scale-offset filter does on a little-endian
// machine.
func Encode(cd []uint32, src []byte) ([]byte, error) {
	p, err := parse(cd)
	if err != nil {
		return nil, err
	}
	if !p.t.Float && int(p.factor) == p.t.Size*8 {
		return append([]byte(nil), src...), nil // libhdf5: nothing to do, no header
	}
	if len(src) != p.nelmts*p.t.Size {
		return nil, fmt.Errorf("%w: chunk of %d bytes, client data say %d elements of %d", ErrParams, len(src), p.nelmts, p.t.Size)
	}
	vals := make([]uint64, p.nelmts)
	for i := range vals {
		vals[i] = p.load(src, i)
	}
	var minbits uint
	var minval uint64
	if p.t.Float {
		minbits, minval = p.preFloat(vals)
	} else {
		minbits, minval = p.preInt(vals)
	}
	out := make([]byte, headerLen, headerLen+len(src)+1)
	binary.LittleEndian.PutUint32(out[0:], uint32(minbits))
	out[4] = 8
	binary.LittleEndian.PutUint64(out[5:], minval)
	if minbits == p.width() {
		// The values as they are, in the machine's (little-endian) order.
		var x [8]byte
		for _, v := range vals {
			binary.LittleEndian.PutUint64(x[:], v)
			out = append(out, x[:p.t.Size]...)
		}
		return out, nil
	}
	w := msbits.Writer{Buf: out}
	if minbits > 0 {
		for _, v := range vals {
			w.Write(v, minbits)
		}
	}
	return w.Finish(), nil
}

// preInt is H5Z__scaleoffset_precompress_i: it picks the bit count and the
// minimum and turns vals into their offsets from the minimum (the fill
// value, if defined, into all ones).
func (p *params) preInt(vals []uint64) (uint, uint64) {
	w, mask := p.width(), p.mask()
	minbits := uint(p.factor)
	auto := minbits == 0
	// Compare signed values as unsigned ones with the sign bit flipped.
	var flip uint64
	if p.t.Signed {
		flip = 1 << (w - 1)
	}
	fill, fillDef := p.fillBits, p.fillDef
	var min, max uint64 // flipped
	i := 0
	if fillDef {
		for i < len(vals) && vals[i] == fill {
			i++
		}
	}
	if i < len(vals) {
		min, max = vals[i]^flip, vals[i]^flip
	} else {
		min, max = flip, flip // zero
	}
	for ; i < len(vals); i++ {
		v := vals[i]
		if fillDef && v == fill {
			continue
		}
		k := v ^ flip
		if k > max {
			max = k
		}
		if k < min {
			min = k
		}
	}
	min, max = min^flip, max^flip
	if auto {
		if (max-min)&mask > mask-2 {
			// libhdf5 returns here before recording the minimum, except
			// for signed chars without a fill value.
			if !fillDef && p.t.Signed && p.t.Size == 1 {
				return w, uint64(p.sext(min))
			}
			return w, 0
		}
		span := (max - min + 1) & mask
		if fillDef {
			minbits = log2(span + 1)
		} else {
			minbits = log2(span)
		}
	}
	if minbits != w {
		all := uint64(1)<<minbits - 1
		for k, v := range vals {
			if fillDef && v == fill {
				vals[k] = all
			} else {
				vals[k] = (v - min) & mask
			}
		}
	}
	if p.t.Signed {
		return minbits, uint64(p.sext(min))
	}
	return minbits, min
}

func (p *params) sext(v uint64) int64 {
	s := 64 - p.width()
	return int64(v<<s) >> s
}

// preFloat is H5Z__scaleoffset_precompress_fd for the D-scale method, in
// the arithmetic of the element type (float32 operations for floats, as
// libhdf5 uses powf and lroundf there).
func (p *params) preFloat(vals []uint64) (uint, uint64) {
	D := float64(p.factor)
	w := p.width()
	if p.t.Size == 4 {
		pw := float32(math.Pow(10, D))
		thr32 := float32(math.Pow(10, -D))
		fil := math.Float32frombits(uint32(p.fillBits))
		f := func(k int) float32 { return math.Float32frombits(uint32(vals[k])) }
		skip := func(v float32) bool { return p.fillDef && math.Abs(float64(v-fil)) < math.Pow(10, -D) }
		min, max := p.minMax32(len(vals), f, skip)
		if float32(math.Round(float64(float32(max*pw)-float32(min*pw)))) > float32(math.Pow(2, 31)) {
			return w, 0
		}
		span := uint64(int64(math.Round(float64(float32(max*pw)-float32(min*pw))))) + 1
		minbits := log2(span)
		if p.fillDef {
			minbits = log2(span + 1)
		}
		if minbits != w {
			all := uint64(1)<<minbits - 1
			for k := range vals {
				v := f(k)
				if p.fillDef && float32(math.Abs(float64(v-fil))) < thr32 {
					vals[k] = all
				} else {
					vals[k] = uint64(uint32(int32(int64(math.Round(float64(float32(v*pw) - float32(min*pw)))))))
				}
			}
		}
		return minbits, uint64(math.Float32bits(min))
	}
	pw := math.Pow(10, D)
	thr := math.Pow(10, -D)
	fil := math.Float64frombits(p.fillBits)
	f := func(k int) float64 { return math.Float64frombits(vals[k]) }
	skip := func(v float64) bool { return p.fillDef && math.Abs(v-fil) < thr }
	var min, max float64
	i := 0
	for i < len(vals) && skip(f(i)) {
		i++
	}
	if i < len(vals) {
		min, max = f(i), f(i)
	}
	for ; i < len(vals); i++ {
		v := f(i)
		if skip(v) {
			continue
		}
		if v > max {
			max = v
		}
		if v < min {
			min = v
		}
	}
	if math.Round(float64(max*pw)-float64(min*pw)) > math.Pow(2, 63) {
		return w, 0
	}
	span := uint64(int64(math.Round(float64(max*pw)-float64(min*pw)))) + 1
	minbits := log2(span)
	if p.fillDef {
		minbits = log2(span + 1)
	}
	if minbits != w {
		all := uint64(1)<<minbits - 1
		for k := range vals {
			v := f(k)
			if skip(v) {
				vals[k] = all
			} else {
				vals[k] = uint64(int64(math.Round(float64(v*pw) - float64(min*pw))))
			}
		}
	}
	return minbits, math.Float64bits(min)
}

func (p *params) minMax32(n int, f func(int) float32, skip func(float32) bool) (min, max float32) {
	i := 0
	for i < n && skip(f(i)) {
		i++
	}
	if i < n {
		min, max = f(i), f(i)
	}
	for ; i < n; i++ {
		v := f(i)
		if skip(v) {
			continue
		}
		if v > max {
			max = v
		}
		if v < min {
			min = v
		}
	}
	return min, max
}

// Decode reverses Encode for a chunk written by libhdf5 or by Encode. max
// bounds the output: client data claiming more are refused before anything
// is allocated.
func Decode(cd []uint32, src []byte, max int) ([]byte, error) {
	p, err := parse(cd)
	if err != nil {
		return nil, err
	}
	if !p.t.Float && int(p.factor) == p.t.Size*8 {
		if len(src) > max {
			return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(src), max)
		}
		return append([]byte(nil), src...), nil
	}
	if p.nelmts > max/p.t.Size {
		return nil, fmt.Errorf("%w: %d elements of %d bytes, at most %d bytes", ErrTooLarge, p.nelmts, p.t.Size, max)
	}
	if len(src) < headerLen {
		return nil, fmt.Errorf("%w: %d bytes, the header alone is %d", ErrData, len(src), headerLen)
	}
	minbits := uint(binary.LittleEndian.Uint32(src))
	if minbits > p.width() {
		return nil, fmt.Errorf("%w: %d bits per value for a %d-byte type", ErrData, minbits, p.t.Size)
	}
	var minval uint64
	for i := 0; i < int(src[4]) && i < 8; i++ {
		minval |= uint64(src[5+i]) << (8 * i)
	}
	body := src[headerLen:]
	n := p.nelmts
	if need := (n*int(minbits) + 7) / 8; len(body) < need {
		return nil, fmt.Errorf("%w: %d bytes of values, %d elements of %d bits need %d", ErrData, len(body), n, minbits, need)
	}
	out := make([]byte, n*p.t.Size)
	if minbits == p.width() {
		for i := 0; i < n; i++ {
			var x [8]byte
			copy(x[:], body[i*p.t.Size:(i+1)*p.t.Size])
			p.store(out, i, binary.LittleEndian.Uint64(x[:]))
		}
		return out, nil
	}
	r := msbits.NewReader(body)
	all := uint64(1)<<minbits - 1
	mask := p.mask()
	D := float64(p.factor)
	pw := math.Pow(10, D)
	pw32 := float32(pw)
	for i := 0; i < n; i++ {
		var v uint64
		if minbits > 0 {
			v, _ = r.Read(minbits) // length checked above
		}
		var x uint64
		switch {
		case p.fillDef && v == all:
			x = p.fillBits
		case !p.t.Float:
			x = (v + minval) & mask
		case p.t.Size == 4:
			x = uint64(math.Float32bits(float32(float32(int32(uint32(v)))/pw32) + math.Float32frombits(uint32(minval))))
		default:
			x = math.Float64bits(float64(float64(int64(v))/pw) + math.Float64frombits(minval))
		}
		p.store(out, i, x)
	}
	return out, nil
}
