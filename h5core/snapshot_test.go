package h5core_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/gorun-hpc/gorun/h5core"
)

func TestSnapshotBlockRoundTrip(t *testing.T) {
	for _, gen := range []uint64{0, 1, 2, 1 << 40, ^uint64(0)} {
		got, err := h5core.DecodeSnapshotBlock(h5core.EncodeSnapshotBlock(gen))
		if err != nil || got != gen {
			t.Errorf("gen %d: got %d, %v", gen, got, err)
		}
	}
	torn := h5core.EncodeSnapshotBlock(7)
	copy(torn[8:12], h5core.EncodeSnapshotBlock(8)[8:12]) // half of a later write
	torn[8] = 8
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"short", []byte("GORUNSNP"), h5core.ErrNoSnapshotBlock},
		{"magic", append([]byte("GORUNSNQ"), make([]byte, 16)...), h5core.ErrNoSnapshotBlock},
		{"torn", torn, h5core.ErrChecksum},
	} {
		if _, err := h5core.DecodeSnapshotBlock(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func FuzzDecodeSnapshotBlock(f *testing.F) {
	f.Add(h5core.EncodeSnapshotBlock(4))
	f.Add([]byte("GORUNSNP"))
	f.Fuzz(func(t *testing.T, b []byte) {
		gen, err := h5core.DecodeSnapshotBlock(b)
		if err == nil && !bytes.Equal(h5core.EncodeSnapshotBlock(gen), b[:h5core.SnapshotBlockSize]) {
			t.Fatalf("decoded %d from a block that does not encode it", gen)
		}
	})
}

// image is an in-memory file that records, for one flush, which writes
// came before BeginPublish.
type image struct {
	b             []byte
	phase         int // 0 before BeginPublish, 1 inside, 2 after
	before, after []write
	inside        []write
}

type write struct {
	off  int64
	data []byte
}

func (m *image) WriteAt(p []byte, off int64) (int, error) {
	if need := int(off) + len(p); need > len(m.b) {
		m.b = append(m.b, make([]byte, need-len(m.b))...)
	}
	copy(m.b[off:], p)
	w := write{off, append([]byte(nil), p...)}
	switch m.phase {
	case 0:
		m.before = append(m.before, w)
	case 1:
		m.inside = append(m.inside, w)
	default:
		m.after = append(m.after, w)
	}
	return len(p), nil
}

func (m *image) BeginPublish() error { m.phase = 1; return nil }
func (m *image) EndPublish() error   { m.phase = 2; return nil }

// state is what a reader of the file sees: every dataset's shape and
// every attribute's bytes, by path.
func state(t *testing.T, b []byte) string {
	t.Helper()
	f, err := h5core.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	var out bytes.Buffer
	visit := func(p string, o h5core.Object) error {
		for _, a := range o.Attrs() {
			fmt.Fprintf(&out, "%s@%s=%x ", p, a.Name, a.Data)
		}
		if d, ok := o.(*h5core.Dataset); ok {
			fmt.Fprintf(&out, "%s%v ", p, d.Shape())
			if d.Layout() == h5core.LayoutChunked {
				recs, err := d.Chunks()
				if err != nil {
					return err
				}
				fmt.Fprintf(&out, "chunks%d ", len(recs))
			}
		}
		return nil
	}
	if err := visit("/", f.Root()); err != nil {
		t.Fatal(err)
	}
	if err := f.Root().Visit(visit); err != nil {
		t.Fatalf("visit: %v", err)
	}
	return out.String()
}

// TestFlushPublishOrder checks decision 28's premise in both families: a
// flush's writes before BeginPublish leave the previous flush's file
// readable exactly as it was; those between BeginPublish and EndPublish
// are the superblock and headers rewritten in place; none come after.
func TestFlushPublishOrder(t *testing.T) {
	for _, fam := range []h5core.Libver{h5core.LibverEarliest, h5core.LibverLatest} {
		t.Run(fmt.Sprint(fam), func(t *testing.T) {
			f := h5core.NewFile(h5core.WithLibver(fam), h5core.WithSnapshotBlock())
			m := &image{}
			g, err := f.Root().CreateGroup("g")
			if err != nil {
				t.Fatal(err)
			}
			spec := h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{0, 4}, MaxShape: []uint64{h5core.Unlimited, 4}, Chunk: []uint64{2, 4}}
			d, err := g.CreateDataset("d", spec)
			if err != nil {
				t.Fatal(err)
			}
			step := func(k int) {
				if err := d.Resize([]uint64{uint64(k + 1), 4}); err != nil {
					t.Fatal(err)
				}
				row := make([]byte, 16)
				for i := range 4 {
					binary.LittleEndian.PutUint32(row[4*i:], uint32(k*10+i))
				}
				chunk := make([]byte, d.ChunkBytes())
				copy(chunk[(k%2)*16:], row)
				if err := d.WriteChunk(m, []uint64{uint64(k / 2 * 2), 0}, chunk); err != nil {
					t.Fatal(err)
				}
				a := &h5core.Attribute{Name: "step", Type: h5core.Int32LE, Data: binary.LittleEndian.AppendUint32(nil, uint32(k))}
				if err := f.Root().SetAttr(a); err != nil {
					t.Fatal(err)
				}
				// Enough attributes that the root's header outgrows its first chunk.
				b := &h5core.Attribute{Name: fmt.Sprint("a", k), Type: h5core.Int32LE, Data: make([]byte, 4)}
				if err := d.SetAttr(b); err != nil {
					t.Fatal(err)
				}
			}
			step(0)
			if err := f.Flush(m); err != nil {
				t.Fatal(err)
			}
			if got := f.SnapshotBlock(); got == h5core.UndefinedAddr {
				t.Fatal("no snapshot block reserved")
			}
			if off, err := h5core.LocateSnapshotBlock(bytes.NewReader(m.b), int64(len(m.b))); err != nil || uint64(off) != f.SnapshotBlock() {
				t.Fatalf("LocateSnapshotBlock: %d, %v; want %d", off, err, f.SnapshotBlock())
			}
			for k := 1; k < 12; k++ {
				prev := append([]byte(nil), m.b...)
				want := state(t, prev)
				m.before, m.inside, m.after, m.phase = nil, nil, nil, 0
				step(k)
				if err := f.Flush(m); err != nil {
					t.Fatal(err)
				}
				mid := append([]byte(nil), prev...)
				for _, w := range m.before {
					if need := int(w.off) + len(w.data); need > len(mid) {
						mid = append(mid, make([]byte, need-len(mid))...)
					}
					copy(mid[w.off:], w.data)
				}
				if got := state(t, mid); got != want {
					t.Fatalf("flush %d: the writes before BeginPublish changed the previous flush's file:\n got %s\nwant %s", k, got, want)
				}
				if len(m.inside) == 0 || m.inside[0].off != 0 {
					t.Fatalf("flush %d: the superblock is not the first write inside the window: %v", k, m.inside)
				}
				if len(m.after) != 0 {
					t.Fatalf("flush %d: %d writes after EndPublish", k, len(m.after))
				}
				if m.phase != 2 {
					t.Fatalf("flush %d: EndPublish not called", k)
				}
			}
		})
	}
}
