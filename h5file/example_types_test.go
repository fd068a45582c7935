package h5file_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5file"
)

// Half floats: written from float32 (rounded as numpy's astype rounds),
// read back as float32, or as the raw bits with Half.
func ExampleHalfOf() {
	h := h5file.HalfOf(0.1)
	fmt.Printf("%#04x %g\n", uint16(h), h.Float32())
	// Output: 0x2e66 0.099975586
}

func ExampleHalf_Float32() {
	fmt.Println(h5file.Half(0x7bff).Float32(), h5file.Half(0xc100).Float32())
	// Output: 65504 -2.5
}

// A float16 dataset from float32 values, and complex numbers as h5py
// stores them (a compound of r and i, which h5py reads as complex).
func ExampleFloat16() {
	f, err := h5file.Create(tempPath("half.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.CreateDatasetFrom("h", []float32{1, 2.5, 1e5}, h5file.WithDtype(h5file.Float16))
	if err != nil {
		log.Fatal(err)
	}
	v, _ := h5file.ReadAll[float32](d)
	c, _ := f.CreateDatasetFrom("z", []complex64{1 + 2i})
	z, _ := h5file.ReadAll[complex64](c)
	fmt.Println(v, c.Dtype(), z)
	// Output: [1 2.5 +Inf] {r: f32le, i: f32le} [(1+2i)]
}

// Opaque data: bytes with a tag saying what they are.
func ExampleOpaque() {
	f, err := h5file.Create(tempPath("opaque.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.CreateDatasetFrom("blobs", [][]byte{[]byte("abcd"), []byte("wxyz")}, h5file.WithDtype(h5file.Opaque(4, "fourcc")))
	if err != nil {
		log.Fatal(err)
	}
	b, _ := h5file.ReadAll[[]byte](d)
	fmt.Printf("%q %q\n", b, d.Dtype().Tag)
	// Output: ["abcd" "wxyz"] "fourcc"
}

// Bitfields read and write as unsigned integers.
func ExampleBitfield() {
	f, err := h5file.Create(tempPath("bits.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.CreateDatasetFrom("flags", []uint8{0x01, 0x80}, h5file.WithDtype(h5file.Bitfield(1)))
	if err != nil {
		log.Fatal(err)
	}
	v, _ := h5file.ReadAll[uint8](d)
	fmt.Println(d.Dtype(), v)
	// Output: b8 [1 128]
}

// An empty dataset (h5py.Empty): a type, no shape, no elements.
func ExampleEmpty() {
	f, err := h5file.Create(tempPath("empty.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.CreateDataset("nothing", h5file.Float64, nil, h5file.Empty())
	if err != nil {
		log.Fatal(err)
	}
	var x []float64
	fmt.Println(d.IsEmpty(), d.Size(), errors.Is(d.Read(&x), h5file.ErrShape))
	// Output: true 0 true
}

func ExampleDataset_IsEmpty() {
	f, err := h5file.Open("../testdata/libhdf5/features/empty.h5", "r")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	for _, name := range []string{"empty_f4", "not_empty"} {
		d, _ := f.Dataset(name)
		fmt.Println(name, d.IsEmpty())
	}
	// Output:
	// empty_f4 true
	// not_empty false
}

// Visit lists what it cannot read too, with the reason.
func ExampleUnreadable() {
	f, err := h5file.Open("../testdata/libhdf5/features/virtual.h5", "r")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	f.Visit(func(name string, o h5file.Object) error {
		if u, ok := o.(*h5file.Unreadable); ok {
			fmt.Println(name, "cannot be read:", u.Err)
		}
		return nil
	})
	d, _ := f.Dataset("stacked") // a virtual dataset: rows from another file
	v, _ := h5file.ReadAll[int32](d)
	fmt.Println(v)
	// Output: [0 1 2 3 4 10 11 12 13 14 20 21 22 23 24 -1 -1 -1 -1 -1]
}

// A read that would not fit in memory fails before allocating.
func ExampleErrTooLarge() {
	f, err := h5file.Create(tempPath("huge.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[float64](f, "huge", []uint64{1 << 50}, h5file.Chunks(1<<20), h5file.Gzip(1))
	if err != nil {
		log.Fatal(err)
	}
	_, err = h5file.ReadAll[float64](d)
	fmt.Println(errors.Is(err, h5file.ErrTooLarge))
	// Output: true
}
