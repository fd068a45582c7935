package h5file

import (
	"encoding/binary"
	"testing"
)

// FuzzDecodeReadAhead: the read-ahead ranges of a metadata answer never
// panic or reach past the message, and what decodes re-encodes to the
// same bytes.
func FuzzDecodeReadAhead(f *testing.F) {
	enc := func(spans ...span) []byte {
		var b []byte
		for _, s := range spans {
			b = binary.LittleEndian.AppendUint64(b, uint64(s.Off))
			b = binary.LittleEndian.AppendUint64(b, uint64(len(s.Data)))
			b = append(b, s.Data...)
		}
		return b
	}
	f.Add([]byte{})
	f.Add(enc(span{Off: 96, Data: []byte("TREE")}, span{Off: 4096, Data: []byte{1, 2, 3}}))
	f.Add(enc(span{Off: 8, Data: []byte("HEAP")})[:20])
	f.Add(append(enc(span{Off: 1}), 0xff))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeReadAhead(b)
		if err != nil {
			return
		}
		if re := enc(got...); string(re) != string(b) {
			t.Fatalf("decoded %d ranges that encode to %x, from %x", len(got), re, b)
		}
	})
}
