package h5core

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzVirtualMappings feeds the virtual-layout heap object decoder (and
// through it every serialised selection form) arbitrary bytes, seeded
// with the mappings libhdf5 wrote in testdata/libhdf5/features/virtual.h5,
// and expands what decodes within a small dataspace.
func FuzzVirtualMappings(f *testing.F) {
	r, err := os.Open("../testdata/libhdf5/features/virtual.h5")
	if err != nil {
		f.Fatal(err)
	}
	defer r.Close()
	st, _ := r.Stat()
	file, err := Open(r, st.Size())
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range file.Root().Members() {
		o, _ := file.Root().Lookup(name)
		d, ok := o.(*Dataset)
		if !ok || d.Layout() != LayoutVirtual {
			continue
		}
		var lay *layoutMsg
		msgs, _, _, _ := file.readHeader(d.Addr())
		for _, m := range msgs {
			if m.Type == MsgDataLayout {
				lay, _ = decodeLayout(m.Data, m.Off)
			}
		}
		b, err := file.GetVlen(VlenRef{Len: 1, Addr: lay.addr, Index: lay.heapIndex})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := decodeVirtual(b, 0)
		if err != nil {
			return
		}
		for _, m := range ms {
			for _, s := range []Selection{m.Source, m.Virtual} {
				shape := make([]uint64, max(s.Rank, 1))
				for i := range shape {
					shape[i] = 7
				}
				idx, err := s.Elements(shape, 1<<16)
				spans, serr := s.Spans(shape, 1<<16)
				if (err == nil) != (serr == nil) {
					t.Fatalf("Elements error %v, Spans error %v", err, serr)
				}
				var n uint64
				for _, sp := range spans {
					n += sp.Len
				}
				if err == nil && n != uint64(len(idx)) {
					t.Fatalf("Spans hold %d elements, Elements %d", n, len(idx))
				}
			}
		}
	})
}

// FuzzExternalFiles feeds the external data files message decoder
// arbitrary message bytes against the names heap of
// testdata/libhdf5/features/external.h5.
func FuzzExternalFiles(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "libhdf5", "features", "external.h5"))
	if err != nil {
		f.Fatal(err)
	}
	file, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range file.Root().Members() {
		o, _ := file.Root().Lookup(name)
		msgs, _, _, _ := file.readHeader(o.Addr())
		for _, m := range msgs {
			if m.Type == MsgExternalFiles {
				f.Add(m.Data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file.decodeExternal(RawMessage{Type: MsgExternalFiles, Data: b})
	})
}

// FuzzFeatureFiles opens arbitrary bytes seeded with the small feature
// files (user blocks of 512 and 4096 bytes, chunked datasets never
// written for every layout-4 index, null dataspaces): the signature
// search, base-relative addressing and the undefined-index paths. (A
// target of its own: FuzzOpen's large seeds make it crawl.)
func FuzzFeatureFiles(f *testing.F) {
	for _, n := range []string{"userblock_512", "userblock_4096", "unwritten_latest", "empty", "types"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "libhdf5", "features", n+".h5"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		walkAll(file)
	})
}
