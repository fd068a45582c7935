package h5file

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestVecWriter writes sequences of pieces through a vecWriter and checks
// the file's bytes against writing each piece alone, in order, and the
// number of write calls: one per group of pieces adjacent in the file.
func TestVecWriter(t *testing.T) {
	type piece struct{ off, len int }
	for _, tc := range []struct {
		name   string
		pieces []piece
		calls  int
	}{
		{"one", []piece{{5, 10}}, 1},
		{"adjacent in the file, apart in memory", []piece{{0, 10}, {10, 7}, {17, 100}}, 1},
		{"gaps: one call each", []piece{{0, 10}, {20, 10}, {40, 10}}, 3},
		{"two groups", []piece{{0, 8}, {8, 8}, {100, 8}, {108, 8}, {116, 1}}, 2},
		{"overlap: the later piece wins", []piece{{0, 16}, {16, 16}, {8, 16}}, 2},
		{"backwards", []piece{{64, 8}, {56, 8}, {48, 8}}, 3},
		{"more than vecMax adjacent", slices.Collect(func(yield func(piece) bool) {
			for i := range vecMax + 5 {
				if !yield(piece{3 * i, 3}) {
					return
				}
			}
		}), 2},
		{"empty pieces", []piece{{0, 4}, {4, 0}, {4, 4}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			want := make([]byte, 0)
			gotF, err := os.Create(filepath.Join(dir, "got"))
			if err != nil {
				t.Fatal(err)
			}
			defer gotF.Close()
			w := &vecWriter{f: gotF}
			for i, p := range tc.pieces {
				// Each piece its own allocation with spare capacity, so
				// only file adjacency joins them.
				b := make([]byte, p.len, p.len+8)
				for j := range b {
					b[j] = byte(i*7 + j + 1)
				}
				if len(want) < p.off+p.len {
					want = append(want, make([]byte, p.off+p.len-len(want))...)
				}
				copy(want[p.off:], b)
				if err := w.add(b, int64(p.off)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.flush(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(gotF.Name())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("file bytes differ from the pieces written one by one:\n got %v\nwant %v", got, want)
			}
			if w.calls != tc.calls {
				t.Errorf("%d write calls, want %d", w.calls, tc.calls)
			}
		})
	}
}

// TestVecWriterMemoryAdjacent: pieces adjacent in memory and in the file
// are one buffer.
func TestVecWriterMemoryAdjacent(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := []byte("abcdefghij")
	w := &vecWriter{f: f}
	for i := 0; i < len(b); i += 2 {
		if err := w.add(b[i:i+2], int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if len(w.iov) != 1 {
		t.Fatalf("%d buffers, want 1", len(w.iov))
	}
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(f.Name()); string(got) != "abcdefghij" {
		t.Fatalf("file holds %q", got)
	}
}

// TestIndependentWriteVectored: an independent write of whole chunks,
// allocated one after another in the file, is a few vectored writes, not
// one per chunk, and reads back.
func TestIndependentWriteVectored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.h5")
	f, err := Create(path, "w")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := CreateDatasetOf[int32](f, "x", []uint64{64, 64}, Chunks(4, 64))
	if err != nil {
		t.Fatal(err)
	}
	v := make([]int32, 64*64)
	for i := range v {
		v[i] = int32(i)
	}
	if err := d.Write(v); err != nil { // allocates the 16 chunks in order
		t.Fatal(err)
	}
	for i := range v {
		v[i] = -int32(i)
	}
	before := f.rawWriteCalls
	if err := d.Write(v); err != nil {
		t.Fatal(err)
	}
	if calls := f.rawWriteCalls - before; calls >= 16 || calls == 0 {
		t.Errorf("rewriting 16 adjacent chunks took %d write calls, want fewer than 16", calls)
	}
	got, err := ReadAll[int32](d)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, v) {
		t.Fatal("the chunks read back differ")
	}
}
