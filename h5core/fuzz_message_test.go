package h5core

import (
	"bytes"
	"testing"
)

// FuzzMessages feeds one body to every message decoder; an accepted
// datatype, dataspace, layout or pipeline must re-encode without error
// and decode again to the same encoding.
func FuzzMessages(f *testing.F) {
	for _, t := range []*Datatype{Int32LE, Float64LE, Bool(), VlenString(UTF8), FixedString(3, ASCII, PadNull),
		Compound(16, Member{"a", 0, Int32LE}, Member{"b", 4, ArrayOf(Uint8LE, 2, 3)}), VlenOf(Int16LE)} {
		b, _ := t.encode()
		f.Add(b)
	}
	f.Add(encodeDataspace([]uint64{3, 4}, []uint64{Unlimited, 4}))
	f.Add(encodePipeline(H5pyFilters(8, true, 4, true)))
	f.Add((&layoutMsg{class: LayoutChunked, addr: 800, chunk: []uint32{2, 2, 8}}).encode())
	f.Add(FillValue{AllocTime: 2, FillTime: 2, Value: []byte{7, 0}}.encode())
	a, _ := (&Attribute{Name: "s", Type: Int32LE, Shape: []uint64{2}, Data: make([]byte, 8)}).encode()
	f.Add(a)
	f.Fuzz(func(t *testing.T, b []byte) {
		if dt, err := decodeDatatype(b, 0); err == nil {
			if enc, err := dt.encode(); err == nil {
				dt2, err := decodeDatatype(enc, 0)
				if err != nil {
					t.Fatalf("re-encoded datatype does not decode: %v", err)
				}
				enc2, _ := dt2.encode()
				if !bytes.Equal(enc, enc2) {
					t.Fatalf("datatype encoding not stable:\n%x\n%x", enc, enc2)
				}
			}
			dt.HasVlen()
			_ = dt.String()
		}
		decodeDataspace(b, 0)
		decodeFillValue(b, 0)
		decodeLayout(b, 0)
		if fs, err := decodePipeline(b, 0); err == nil {
			if _, err := decodePipeline(encodePipeline(fs), 0); err != nil {
				t.Fatalf("re-encoded pipeline does not decode: %v", err)
			}
		}
		if at, err := decodeAttribute(b, 0); err == nil && at.check() == nil {
			at.encode()
		}
	})
}

// FuzzDecodeChunk runs hostile stored chunks through every pipeline.
func FuzzDecodeChunk(f *testing.F) {
	enc, _, _ := EncodeChunk(H5pyFilters(4, true, 6, true), bytes.Repeat([]byte{1, 2, 3, 4}, 64))
	f.Add(enc, uint32(0))
	f.Fuzz(func(t *testing.T, b []byte, mask uint32) {
		for _, fs := range [][]Filter{nil, H5pyFilters(4, true, 6, true), H5pyFilters(8, false, 1, false), {Fletcher32()}, {Shuffle(3)}} {
			out, err := DecodeChunk(fs, mask, b, 256)
			if err == nil && len(fs) > 0 && fs[0].ID == FilterShuffle && mask == 0 && len(out) > 256*2+65536 {
				t.Fatalf("decoded %d bytes past the limit", len(out))
			}
		}
	})
}

// FuzzHyperslab checks that runs cover exactly the selected elements.
func FuzzHyperslab(f *testing.F) {
	f.Add(uint8(6), uint8(7), uint8(2), uint8(3), uint8(1), uint8(2), uint8(2), uint8(1), uint8(3), uint8(2))
	f.Fuzz(func(t *testing.T, s0, s1, c0, c1, st0, st1, n0, n1, b0, b1 uint8) {
		shape := []uint64{uint64(s0%16 + 1), uint64(s1%16 + 1)}
		chunk := []uint64{uint64(c0%5 + 1), uint64(c1%5 + 1)}
		sel := Hyperslab{Start: []uint64{uint64(st0 % 4), uint64(st1 % 4)}, Count: []uint64{uint64(n0 % 5), uint64(n1 % 5)},
			Stride: []uint64{uint64(b0%3 + 1 + st0%2), uint64(b1%3 + 1 + st1%2)}, Block: []uint64{uint64(b0%3 + 1), uint64(b1%3 + 1)}}
		if sel.Check(shape) != nil {
			return
		}
		want := bruteSelect(shape, sel)
		n, _ := numElements(shape)
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i)
		}
		got := make([]byte, len(want))
		ContiguousRuns(shape, 1, sel, func(r Run) error {
			copy(got[r.MemOff:r.MemOff+r.Len], data[r.Off:r.Off+r.Len])
			return nil
		})
		if !bytes.Equal(got, want) {
			t.Fatalf("contiguous runs wrong for %+v", sel)
		}
		covered := 0
		ChunkRuns(shape, chunk, 1, sel, func(coords []uint64, runs []Run) error {
			for _, r := range runs {
				covered += int(r.Len)
				if r.Off+r.Len > chunk[0]*chunk[1] {
					t.Fatalf("run %+v past chunk", r)
				}
			}
			return nil
		})
		if covered != len(want) {
			t.Fatalf("chunk runs cover %d of %d bytes", covered, len(want))
		}
	})
}
