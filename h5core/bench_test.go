package h5core

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkCreate10000 creates 10 000 small datasets with one attribute
// each in 10 groups and flushes: the metadata side of the issue's
// benchmark (h5py takes about a second for the same on this machine).
func BenchmarkCreate10000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		m := &memFile{}
		f := NewFile()
		for j := 0; j < 10000; j++ {
			d, err := f.Root().CreateDataset(fmt.Sprintf("g%d/d%05d", j%10, j), DatasetSpec{Type: Int32LE, Shape: []uint64{16}})
			if err != nil {
				b.Fatal(err)
			}
			d.SetAttr(&Attribute{Name: "a", Type: Int32LE, Data: int32s(int32(j))})
		}
		if err := f.Flush(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreate10000OneGroup is the same with every dataset in the root.
func BenchmarkCreate10000OneGroup(b *testing.B) {
	for i := 0; i < b.N; i++ {
		m := &memFile{}
		f := NewFile()
		for j := 0; j < 10000; j++ {
			d, err := f.Root().CreateDataset(fmt.Sprintf("d%05d", 9999-j), DatasetSpec{Type: Int32LE, Shape: []uint64{16}})
			if err != nil {
				b.Fatal(err)
			}
			d.SetAttr(&Attribute{Name: "a", Type: Int32LE, Data: int32s(int32(j))})
		}
		if err := f.Flush(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen10000 opens a file of 10 000 datasets with an attribute each.
func BenchmarkOpen10000(b *testing.B) {
	m := &memFile{}
	f := NewFile()
	for j := 0; j < 10000; j++ {
		d, _ := f.Root().CreateDataset(fmt.Sprintf("g%d/d%05d", j%10, j), DatasetSpec{Type: Int32LE, Shape: []uint64{16}})
		d.SetAttr(&Attribute{Name: "a", Type: Int32LE, Data: int32s(int32(j))})
	}
	f.Flush(m)
	b.SetBytes(int64(len(m.b)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Open(m, int64(len(m.b))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateLinksRandom creates 10k and 100k soft links in one
// group in a random name order: with links kept as a sorted slice each
// insert moved half the slice (quadratic); indexed by name it is linear
// (issue 14).
func BenchmarkCreateLinksRandom(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		names := make([]string, n)
		for i, p := range rand.New(rand.NewPCG(1, 2)).Perm(n) {
			names[i] = fmt.Sprintf("l%07d", p)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				f := NewFile()
				for _, n := range names {
					if err := f.Root().CreateSoftLink(n, "/x"); err != nil {
						b.Fatal(err)
					}
				}
				if got := len(f.Root().Members()); got != len(names) {
					b.Fatalf("%d members", got)
				}
			}
		})
	}
}
