package h5file_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gorun-hpc/gorun/h5file"
)

func benchFile(b *testing.B, n uint64, opts ...h5file.DatasetOption) string {
	path := filepath.Join(b.TempDir(), "b.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float64, n)
	d, err := h5file.CreateDatasetOf[float64](f, "x", []uint64{n}, opts...)
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Write(x); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

func BenchmarkReadContiguous(b *testing.B) {
	const n = 1 << 21
	path := benchFile(b, n)
	out := make([]float64, n)
	b.SetBytes(n * 8)
	for b.Loop() {
		f, err := h5file.Open(path, "r")
		if err != nil {
			b.Fatal(err)
		}
		d, _ := f.Dataset("x")
		if err := d.Read(out); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

func BenchmarkWriteContiguous(b *testing.B) {
	const n = 1 << 21
	path := filepath.Join(b.TempDir(), "w.h5")
	x := make([]float64, n)
	b.SetBytes(n * 8)
	for b.Loop() {
		f, err := h5file.Create(path, "w")
		if err != nil {
			b.Fatal(err)
		}
		d, _ := h5file.CreateDatasetOf[float64](f, "x", []uint64{n})
		if err := d.Write(x); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAttrs sets n attributes on one group and flushes: the time per
// attribute must not grow with n (issue 14: 10k attributes at most 13x
// the time of 1k).
func BenchmarkAttrs(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				f, err := h5file.Create(filepath.Join(b.TempDir(), "a.h5"), "w")
				if err != nil {
					b.Fatal(err)
				}
				for i := range n {
					if err := f.Attrs().Set(fmt.Sprintf("a%06d", i), float64(i)); err != nil {
						b.Fatal(err)
					}
				}
				if err := f.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
