package h5core

import (
	"fmt"
	"testing"
)

// buildAndAppend writes a chunk B-tree of n one-dimensional chunks with
// node capacity 2k, then appends the counts in adds, one flush each, and
// checks after each that a walk sees every chunk in order, a search finds
// each one (and misses the gaps), and the right edge read back from the
// file equals the one kept in memory.
func buildAndAppend(t *testing.T, k, n int, adds []int) {
	t.Helper()
	m := &memFile{b: make([]byte, 64)}
	f := &File{r: m, eof: 64, istoreK: k}
	rec := func(i int) ChunkRecord { // chunks at 0, 2, 4, ...: odd offsets are gaps
		return ChunkRecord{Coords: []uint64{uint64(2 * i)}, Addr: uint64(1_000_000 + 8*i), Size: 8, FilterMask: uint32(i % 3)}
	}
	flush := func(out, inPlace []block) {
		for _, b := range append(out, inPlace...) {
			m.WriteAt(b.data, int64(b.addr))
		}
		f.size = int64(len(m.b)) + 2_000_000 // the chunks themselves lie beyond the metadata
	}
	var out []block
	var space []extent
	x := &btree1Index{f: f, addr: UndefinedAddr, rank: 1, chunk: []uint64{2}}
	if n > 0 {
		var children []uint64
		var keys [][]byte
		for i := range n {
			r := rec(i)
			children = append(children, r.Addr)
			keys = append(keys, encodeChunkKey(uint32(r.Size), r.FilterMask, r.Coords))
		}
		keys = append(keys, encodeChunkKey(0, 0, []uint64{uint64(2 * n)}))
		x.addr = f.writeBTree1(&out, &space, btreeChunk, k, chunkKeySize(1), children, keys)
		flush(out, nil)
	}
	total := n
	for step, a := range adds {
		if x.addr == UndefinedAddr {
			break // an empty tree is written whole, not appended to
		}
		var recs []ChunkRecord
		for i := total; i < total+a; i++ {
			recs = append(recs, rec(i))
		}
		var o, ip []block
		w := &flushWriter{f: f, out: &o, inPlace: &ip}
		if _, err := x.appendRecords(w, &space, recs, encodeChunkKey(0, 0, []uint64{uint64(2 * (total + a))})); err != nil {
			t.Fatalf("k=%d n=%d step %d: %v", k, n, step, err)
		}
		flush(o, ip)
		total += a
		kept := x.spine
		x.spine = nil
		got, err := x.all()
		if err != nil {
			t.Fatalf("k=%d n=%d step %d: walk: %v", k, n, step, err)
		}
		if len(got) != total {
			t.Fatalf("k=%d n=%d step %d: %d chunks walked, want %d", k, n, step, len(got), total)
		}
		for i, r := range got {
			if w := rec(i); r.Coords[0] != w.Coords[0] || r.Addr != w.Addr || r.Size != w.Size || r.FilterMask != w.FilterMask {
				t.Fatalf("k=%d n=%d step %d: chunk %d is %+v, want %+v", k, n, step, i, r, w)
			}
		}
		x.recs, x.byKey, x.done = nil, nil, false
		for i := 0; i < total; i++ {
			r, ok, err := x.search([]uint64{uint64(2 * i)})
			if err != nil || !ok || r.Addr != rec(i).Addr {
				t.Fatalf("k=%d n=%d step %d: search %d: %+v %v %v", k, n, step, i, r, ok, err)
			}
			if _, ok, _ := x.search([]uint64{uint64(2*i + 1)}); ok {
				t.Fatalf("k=%d n=%d step %d: search found the gap %d", k, n, step, 2*i+1)
			}
		}
		read, err := x.rightSpine()
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(spineShape(read)) != fmt.Sprint(spineShape(kept)) {
			t.Fatalf("k=%d n=%d step %d: right edge in memory %v, in the file %v", k, n, step, spineShape(kept), spineShape(read))
		}
	}
}

func spineShape(s []*btreeNode1) [][3]uint64 {
	var out [][3]uint64
	for _, nd := range s {
		out = append(out, [3]uint64{nd.addr, uint64(nd.level), uint64(len(nd.children))})
	}
	return out
}

// TestBTree1Append: appends of every size into trees of every depth, with
// small nodes so that leaves, internal nodes and the root all split.
func TestBTree1Append(t *testing.T) {
	for _, k := range []int{1, 2, 3, 32} {
		for _, n := range []int{1, 2, 3, 5, 8, 17, 64, 65, 200} {
			buildAndAppend(t, k, n, []int{1, 1, 2, 7, 1, 64, 3, 130, 1})
		}
	}
}

// FuzzBTree1Append: random node sizes, tree sizes and append sequences.
func FuzzBTree1Append(f *testing.F) {
	f.Add(uint8(1), uint16(5), []byte{1, 2, 3})
	f.Add(uint8(2), uint16(100), []byte{64, 1, 1})
	f.Fuzz(func(t *testing.T, k uint8, n uint16, adds []byte) {
		kk := int(k%8) + 1
		var as []int
		for _, a := range adds[:min(len(adds), 16)] {
			as = append(as, int(a)+1)
		}
		buildAndAppend(t, kk, int(n%600)+1, as)
	})
}
