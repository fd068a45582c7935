package h5core

import "encoding/binary"

// The operation digest is a running hash of every model-changing call and
// its arguments. Ranks of a parallel job that made the same calls have the
// same digest, so exchanging one number finds a rank that diverged before
// its metadata is written (ARCHITECTURE.md, rule 2).

// OpDigest returns the digest of the operations applied so far.
func (f *File) OpDigest() uint64 { return f.digest }

// mix folds one operation into the digest. Values are length-prefixed so
// ("ab","c") and ("a","bc") differ. It is FNV-1a over the digest so far
// and the length-prefixed parts, computed in place: every metadata call of
// every rank mixes, so it must not allocate.
func (f *File) mix(op string, parts ...any) {
	h := fnvUint(fnvOffset64, f.digest)
	h = fnvString(h, op)
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			h = fnvString(h, v)
		case []byte:
			h = fnvUint(h, uint64(len(v)))
			for _, c := range v {
				h = (h ^ uint64(c)) * fnvPrime64
			}
		case uint64:
			h = fnvUint(fnvUint(h, 8), v)
		case uint32:
			h = fnvUint(fnvUint(h, 8), uint64(v))
		case []uint64:
			h = fnvUint(h, uint64(8*len(v)))
			for _, x := range v {
				h = fnvUint(h, x)
			}
		case bool:
			h = fnvUint(h, 1)
			if v {
				h = (h ^ 1) * fnvPrime64
			} else {
				h = h * fnvPrime64
			}
		}
	}
	f.digest = h
}

// FNV-1a 64 (hash/fnv's), over little-endian words and strings.
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

func fnvUint(h, v uint64) uint64 {
	for range 8 {
		h = (h ^ (v & 0xff)) * fnvPrime64
		v >>= 8
	}
	return h
}

func fnvString(h uint64, s string) uint64 {
	h = fnvUint(h, uint64(len(s)))
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime64
	}
	return h
}

// specDigest encodes a dataset spec for the digest, appending to b (a
// buffer on the caller's stack: every create of every rank makes one).
func specDigest(b []byte, s DatasetSpec) []byte {
	b, _ = s.Type.appendEncoded(b)
	if len(s.Filters) > 0 {
		b = append(b, encodePipeline(s.Filters)...)
	}
	for _, v := range [][]uint64{s.Shape, s.MaxShape, s.Chunk} {
		b = binary.LittleEndian.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = binary.LittleEndian.AppendUint64(b, x)
		}
	}
	if s.Compact {
		b = append(b, 1)
	}
	if s.Null {
		b = append(b, 2)
	}
	return append(b, s.Fill...)
}
