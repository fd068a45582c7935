package h5core

import (
	"encoding/binary"
	"hash/fnv"
)

// The operation digest is a running hash of every model-changing call and
// its arguments. Ranks of a parallel job that made the same calls have the
// same digest, so exchanging one number finds a rank that diverged before
// its metadata is written (DESIGN.md, rule 2).

// OpDigest returns the digest of the operations applied so far.
func (f *File) OpDigest() uint64 { return f.digest }

// mix folds one operation into the digest. Values are length-prefixed so
// ("ab","c") and ("a","bc") differ.
func (f *File) mix(op string, parts ...any) {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], f.digest)
	h.Write(b[:])
	write := func(p []byte) {
		binary.LittleEndian.PutUint64(b[:], uint64(len(p)))
		h.Write(b[:])
		h.Write(p)
	}
	write([]byte(op))
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			write([]byte(v))
		case []byte:
			write(v)
		case uint64:
			binary.LittleEndian.PutUint64(b[:], v)
			write(b[:])
		case uint32:
			binary.LittleEndian.PutUint64(b[:], uint64(v))
			write(b[:])
		case []uint64:
			buf := make([]byte, 0, 8*len(v))
			for _, x := range v {
				buf = binary.LittleEndian.AppendUint64(buf, x)
			}
			write(buf)
		case bool:
			if v {
				write([]byte{1})
			} else {
				write([]byte{0})
			}
		}
	}
	f.digest = h.Sum64()
}

// specDigest encodes a dataset spec for the digest.
func specDigest(s DatasetSpec) []byte {
	b, _ := s.Type.encode()
	b = append(b, encodePipeline(s.Filters)...)
	for _, v := range [][]uint64{s.Shape, s.MaxShape, s.Chunk} {
		b = binary.LittleEndian.AppendUint64(b, uint64(len(v)))
		for _, x := range v {
			b = binary.LittleEndian.AppendUint64(b, x)
		}
	}
	if s.Compact {
		b = append(b, 1)
	}
	return append(b, s.Fill...)
}
