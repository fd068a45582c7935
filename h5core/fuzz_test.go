package h5core

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"
)

// memFile is an in-memory io.WriterAt / io.ReaderAt.
type memFile struct{ b []byte }

func (m *memFile) WriteAt(p []byte, off int64) (int, error) {
	if end := int(off) + len(p); end > len(m.b) {
		m.b = append(m.b, make([]byte, end-len(m.b))...)
	}
	return copy(m.b[off:], p), nil
}

func (m *memFile) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(m.b).ReadAt(p, off)
}

// smallFile builds a file with a bit of everything, for seeds and goldens.
func smallFile() []byte {
	m := &memFile{}
	f := NewFile()
	root := f.Root()
	d, _ := root.CreateDataset("test", DatasetSpec{Type: Int32LE, Shape: []uint64{4}})
	addr, _ := d.DataAddr()
	m.WriteAt(int32s(0, 1, 2, 3), int64(addr))
	g, _ := root.CreateGroup("g")
	ref, _ := f.PutVlen(2, []byte("hi"))
	rb := make([]byte, 16)
	ref.Encode(rb)
	g.SetAttr(&Attribute{Name: "s", Type: VlenString(UTF8), Data: rb})
	c, _ := g.CreateDataset("c", DatasetSpec{Type: Float64LE, Shape: []uint64{4, 4}, MaxShape: []uint64{Unlimited, 4}, Chunk: []uint64{2, 2}, Filters: H5pyFilters(8, true, 4, true)})
	enc, mask, _ := EncodeChunk(c.Filters(), make([]byte, c.ChunkBytes()))
	a, _ := c.AllocChunk([]uint64{0, 0}, uint64(len(enc)), mask)
	m.WriteAt(enc, int64(a))
	g.CreateDataset("k", DatasetSpec{Type: Compound(12, Member{"a", 0, Int32LE}, Member{"b", 4, Float64LE}), Compact: true, Shape: []uint64{1}})
	g.CreateSoftLink("l", "/test")
	f.Flush(m)
	m.WriteAt([]byte{0}, int64(f.EOF())-1)
	return m.b[:f.EOF()]
}

// walkAll touches everything Open's model exposes, as a reader would.
func walkAll(f *File) {
	seen := map[Object]bool{}
	var walk func(o Object, depth int)
	walk = func(o Object, depth int) {
		if seen[o] || depth > 100 {
			return
		}
		seen[o] = true
		for _, a := range o.Attrs() {
			if a.Type.Class == ClassVlen {
				for i := 0; i+VlenRefSize <= len(a.Data); i += VlenRefSize {
					ref, _ := DecodeVlenRef(a.Data[i:])
					f.GetVlen(ref)
				}
			}
		}
		switch t := o.(type) {
		case *Group:
			for _, name := range t.Members() {
				if c, err := t.Lookup(name); err == nil {
					walk(c, depth+1)
				}
			}
		case *Dataset:
			recs, err := t.Chunks()
			if err == nil && len(recs) > 0 && f.r != nil {
				r := recs[0]
				if r.Size < 1<<20 {
					buf := make([]byte, r.Size)
					if _, err := f.r.ReadAt(buf, int64(r.Addr)); err == nil {
						DecodeChunk(t.Filters(), r.FilterMask, buf, int(min(t.ChunkBytes(), 1<<20)))
					}
				}
			}
		}
	}
	walk(f.Root(), 0)
}

func FuzzOpen(f *testing.F) {
	f.Add(smallFile())
	for _, pat := range []string{"../testdata/golden/*.bin", "../testdata/libhdf5/*.h5", "../testdata/*/*.h5", "../testdata/libhdf5/*/*.h5"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 1<<20 {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A watchdog turns a hang into a crasher the fuzzer records.
		tm := time.AfterFunc(20*time.Second, func() { debug.SetTraceback("all"); panic("slow input") })
		defer tm.Stop()
		file, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		walkAll(file)
		// The in-memory writer would grow to the superblock's EOF.
		if file.Writable() == nil && file.EOF() < uint64(len(data))+1<<20 {
			// Flushing a model read from any input must not panic either.
			file.Root().CreateGroup("fuzz")
			file.Flush(&memFile{b: append([]byte(nil), data...)})
		}
	})
}

func TestSmallFileOpens(t *testing.T) {
	b := smallFile()
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if m := f.Root().Members(); len(m) != 2 || m[0] != "g" || m[1] != "test" {
		t.Fatalf("members %v", m)
	}
	walkAll(f)
}
