package h5core_test

import (
	"fmt"

	"github.com/gorun-hpc/gorun/h5core"
)

// ObjectID is an object's address once flushed, which hard links share;
// before, a provisional ID (bit 63 set) that no other object has.
func ExampleObjectID() {
	f := h5core.NewFile()
	a, _ := f.Root().CreateGroup("a")
	b, _ := f.Root().CreateGroup("b")
	fmt.Println(h5core.ObjectID(a) == h5core.ObjectID(b), h5core.ObjectID(a)>>63)
	var w memWriter
	if err := f.Flush(&w); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h5core.ObjectID(a) == a.Addr(), h5core.ObjectID(a)>>63)
	// Output:
	// false 1
	// true 0
}

// StorageReused says that a dataset's storage came from freed space,
// which holds old bytes: the caller writes the fill value there even when
// it is zero (h5file does). Storage at the end of the file reads as zeros.
func ExampleDataset_StorageReused() {
	f := h5core.NewFile()
	spec := h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{64}}
	f.Root().CreateDataset("old", spec)
	var w memWriter
	f.Flush(&w)
	f.Root().Unlink("old")
	f.Flush(&w) // "old"'s storage is free from here on
	small, _ := f.Root().CreateDataset("new", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{8}})
	big, _ := f.Root().CreateDataset("big", h5core.DatasetSpec{Type: h5core.Uint8LE, Shape: []uint64{1 << 20}})
	fmt.Println(small.StorageReused(), big.StorageReused())
	// Output: true false
}
