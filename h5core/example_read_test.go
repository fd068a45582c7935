package h5core_test

import (
	"fmt"
	"os"

	"github.com/gorun-hpc/gorun/h5core"
)

func openExample(path string) *h5core.File {
	r, err := os.Open(path)
	if err != nil {
		panic(err)
	}
	st, _ := r.Stat()
	f, err := h5core.Open(r, st.Size())
	if err != nil {
		panic(err)
	}
	return f
}

// A file with a user block: addresses in the file are relative to Base;
// the raw data addresses h5core hands out already include it, and Flush
// writes after the user block, leaving it as it was.
func ExampleFile_Base() {
	f := openExample("../testdata/libhdf5/features/userblock_512.h5")
	fmt.Println(f.Base(), f.Writable() == nil)
	// Output: 512 true
}

// External storage: the segments of other files holding the data.
func ExampleDataset_External() {
	f := openExample("../testdata/libhdf5/features/external.h5")
	o, _ := f.Root().Lookup("ext")
	for _, s := range o.(*h5core.Dataset).External() {
		fmt.Println(s.Name, s.Offset, s.Size)
	}
	// Output:
	// external_a.bin 8 40
	// external_b.bin 0 56
}

// The mappings of a virtual dataset, and which elements a selection
// picks.
func ExampleDataset_Virtual() {
	f := openExample("../testdata/libhdf5/features/virtual.h5")
	o, _ := f.Root().Lookup("interleaved")
	for _, m := range o.(*h5core.Dataset).Virtual() {
		v, _ := m.Virtual.Elements([]uint64{8}, 100)
		s, _ := m.Source.Elements([]uint64{8}, 100)
		fmt.Println(m.File, m.Dataset, s, "->", v)
	}
	// Output:
	// . local [1 3 5 7] -> [0 2 4 6]
	// . local [0 2 4 6] -> [1 3 5 7]
}

func ExampleSelection_Elements() {
	s := h5core.Selection{Kind: h5core.SelectBlocks, Rank: 2, Blocks: [][2][]uint64{{{0, 1}, {1, 2}}}}
	idx, _ := s.Elements([]uint64{3, 4}, 100) // rows 0-1, columns 1-2 of a 3x4 space
	fmt.Println(idx)
	// Output: [1 2 5 6]
}

// Walk is Visit with the objects h5core cannot model.
func ExampleGroup_Walk() {
	f := openExample("../testdata/libhdf5/features/empty.h5")
	f.Root().Walk(func(path string, o h5core.Object) error {
		switch x := o.(type) {
		case *h5core.Dataset:
			fmt.Println(path, "null:", x.IsNull())
		case *h5core.Unreadable:
			fmt.Println(path, "unreadable:", x.Err)
		}
		return nil
	})
	// Output:
	// empty_f4 null: true
	// empty_i8 null: true
	// not_empty null: false
}

func ExampleDataset_IsNull() {
	f := h5core.NewFile()
	d, _ := f.Root().CreateDataset("e", h5core.DatasetSpec{Type: h5core.Float32LE, Null: true})
	fmt.Println(d.IsNull(), len(d.Shape()))
	// Output: true 0
}
