package h5core_test

import (
	"bytes"
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// mem is an in-memory file.
type mem struct{ b []byte }

func (m *mem) WriteAt(p []byte, off int64) (int, error) {
	if need := int(off) + len(p); need > len(m.b) {
		m.b = append(m.b, make([]byte, need-len(m.b))...)
	}
	return copy(m.b[off:], p), nil
}

// publishing is a writer that says when a flush publishes.
type publishing struct{ mem }

func (p *publishing) BeginPublish() error { fmt.Println("begin"); return nil }
func (p *publishing) EndPublish() error   { fmt.Println("end"); return nil }

// ExampleWithSnapshotBlock reserves the snapshot block; a writer that is a
// Publisher hears when a flush starts and ends its in-place writes.
func ExampleWithSnapshotBlock() {
	f := h5core.NewFile(h5core.WithSnapshotBlock())
	w := &publishing{}
	if err := f.Flush(w); err != nil {
		fmt.Println(err)
		return
	}
	off, err := h5core.LocateSnapshotBlock(bytes.NewReader(w.b), int64(len(w.b)))
	fmt.Println(off, f.SnapshotBlock(), err)
	// Output:
	// begin
	// end
	// 96 96 <nil>
}

// ExampleEncodeSnapshotBlock round-trips a generation.
func ExampleEncodeSnapshotBlock() {
	b := h5core.EncodeSnapshotBlock(42)
	gen, err := h5core.DecodeSnapshotBlock(b)
	fmt.Println(len(b) == h5core.SnapshotBlockSize, gen, err)
	b[9]++ // torn
	_, err = h5core.DecodeSnapshotBlock(b)
	fmt.Println(err != nil)
	// Output:
	// true 42 <nil>
	// true
}
