package h5core

import (
	"bytes"
	"encoding/binary"
	"sort"
	"testing"
)

// fuzzMsgs turns fuzz bytes into header messages: each takes a type byte
// and a length byte (scaled), its body the next bytes.
func fuzzMsgs(data []byte) []RawMessage {
	var msgs []RawMessage
	for len(data) >= 2 && len(msgs) < 64 {
		typ := uint16(data[0]%0x16) + 1 // never NIL (0) or continuation (0x10 is skipped below)
		if typ == MsgContinuation {
			typ = MsgAttribute
		}
		n := int(data[1]) * 3
		data = data[2:]
		body := make([]byte, n)
		copy(body, data)
		data = data[min(n, len(data)):]
		msgs = append(msgs, RawMessage{Type: typ, Data: body, crt: uint16(len(msgs))})
	}
	return msgs
}

// headerRoundTrip encodes msgs into a header of the given version, first
// as new, then in place with capacity grown or shrunk by delta, decodes
// each result from a file image and requires the same messages.
func headerRoundTrip(t *testing.T, version uint8, msgs []RawMessage, delta int) {
	for pass := 0; pass < 2; pass++ {
		m := &memFile{b: make([]byte, 64)}
		next := uint64(1 << 20) // beyond any header the fuzzer's messages make at 64
		var last uint64         // the continuation chunk's address: the encoder's last allocation
		alloc := func(n uint64) uint64 { a := next; next += (n + 7) &^ 7; last = a; return a }
		var head, cont []byte
		var err error
		hs := headerSpace{version: version, flags: ohdrCrtOrder}
		capacity := uint64(0)
		if pass == 1 {
			// Rewrite in place into the first chunk a new header got.
			var first []byte
			if version == 2 {
				first, _, err = encodeHeaderV2(msgs, &hs, 0, alloc)
			} else {
				first, _, err = encodeHeaderV1(msgs, 3, 0, alloc)
			}
			if err != nil {
				return
			}
			capacity = uint64(max(0, len(first)+delta*8))
		}
		if version == 2 {
			head, cont, err = encodeHeaderV2(msgs, &hs, capacity, alloc)
		} else {
			head, cont, err = encodeHeaderV1(msgs, 3, capacity, alloc)
		}
		if err != nil {
			continue // a first chunk too small to hold a continuation message: refused, not corrupt
		}
		if capacity != 0 && uint64(len(head)) != capacity {
			t.Fatalf("v%d: in-place header of %d bytes for a %d-byte chunk", version, len(head), capacity)
		}
		m.WriteAt(head, 64)
		if cont != nil {
			m.WriteAt(cont, int64(last))
		}
		f := &File{r: m, size: int64(len(m.b))}
		got, refs, _, err := f.readHeader(64)
		if err != nil {
			t.Fatalf("v%d pass %d: %v", version, pass, err)
		}
		if version == 1 && refs != 3 {
			t.Fatalf("v1 reference count %d", refs)
		}
		if len(got) != len(msgs) {
			t.Fatalf("v%d pass %d: %d messages back, %d written", version, pass, len(got), len(msgs))
		}
		for i := range got {
			want := msgs[i].Data
			if version == 1 {
				want = padTo(append([]byte(nil), want...), 0, 8)
			}
			if got[i].Type != msgs[i].Type || !bytes.Equal(got[i].Data, want) || version == 2 && got[i].crt != msgs[i].crt {
				t.Fatalf("v%d pass %d: message %d differs", version, pass, i)
			}
		}
	}
}

// FuzzObjectHeaderEncode round-trips header messages through both header
// encoders (new and rewritten in place, into a first chunk larger or
// smaller than the messages) and their decoders.
func FuzzObjectHeaderEncode(f *testing.F) {
	f.Add([]byte{1, 5, 1, 2, 3, 12, 40}, 0)
	f.Add(bytes.Repeat([]byte{0x0c, 90}, 30), -3)
	f.Fuzz(func(t *testing.T, data []byte, delta int) {
		msgs := fuzzMsgs(data)
		delta = delta % 64
		headerRoundTrip(t, 1, msgs, delta)
		headerRoundTrip(t, 2, msgs, delta)
	})
}

// FuzzBTree2Build builds version 2 B-trees of sorted fuzz records and
// walks them back.
func FuzzBTree2Build(f *testing.F) {
	f.Add(uint16(100), uint8(11))
	f.Add(uint16(5000), uint8(4))
	f.Fuzz(func(t *testing.T, n uint16, recSize uint8) {
		rs := int(recSize%40) + 4
		recs := make([][]byte, n)
		for i := range recs {
			r := make([]byte, rs)
			binary.BigEndian.PutUint32(r, uint32(i))
			recs[i] = r
		}
		m := &memFile{}
		next := uint64(0)
		alloc := func(sz uint64) uint64 { a := next; next += sz; return a }
		var blocks []block
		addr, _, err := buildBTree2(bt2LinkName, rs, recs, alloc, &blocks)
		if err != nil {
			return
		}
		for _, b := range blocks {
			m.WriteAt(b.data, int64(b.addr))
		}
		m.WriteAt(make([]byte, bt2NodeSize), int64(next)) // a file is longer than one node
		tr, err := openBTree2(m, int64(len(m.b)), addr, bt2LinkName)
		if err != nil {
			t.Fatal(err)
		}
		var got [][]byte
		if err := tr.walk(func(r []byte, _ int64) error { got = append(got, append([]byte(nil), r...)); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(recs) || !sort.SliceIsSorted(got, func(i, j int) bool { return bytes.Compare(got[i], got[j]) < 0 }) {
			t.Fatalf("%d records back of %d, or out of order", len(got), len(recs))
		}
	})
}

// FuzzFractalHeapBuild stores fuzz objects in a fractal heap and fetches
// each by its heap ID.
func FuzzFractalHeapBuild(f *testing.F) {
	f.Add([]byte("abc"), uint8(7), true)
	f.Add(bytes.Repeat([]byte{9}, 3000), uint8(40), false)
	f.Fuzz(func(t *testing.T, data []byte, count uint8, links bool) {
		// Every fetch reads the whole direct block: keep blocks small so
		// the fuzzer runs many inputs, not a few huge ones.
		data = data[:min(len(data), 16<<10)]
		var objs [][]byte
		for i := 0; i < int(count) && len(data) > 0; i++ {
			n := min(len(data), 1+i*7%97)
			objs = append(objs, data[:n])
			data = data[n:]
		}
		p := heapParams{idLen: 8, maxIndex: 32}
		if links {
			p.idLen = 7
		}
		m := &memFile{}
		next := uint64(0)
		alloc := func(sz uint64) uint64 { a := next; next += sz; return a }
		var blocks []block
		addr, ids, _, err := buildFractalHeap(objs, p, alloc, &blocks)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			m.WriteAt(b.data, int64(b.addr))
		}
		h, err := openFractalHeap(m, int64(len(m.b)), addr)
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			got, err := h.object(id, 0)
			if err != nil || !bytes.Equal(got, objs[i]) {
				t.Fatalf("object %d: %v", i, err)
			}
		}
	})
}
