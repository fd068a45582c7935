package h5core

import "testing"

// TestSetAlignment: allocations at or above the threshold start on a
// multiple of the alignment (any multiple of 8, not only powers of two),
// smaller ones on 8 bytes; 0 turns alignment off; bad alignments are
// refused.
func TestSetAlignment(t *testing.T) {
	for _, tc := range []struct {
		name             string
		set              bool
		threshold, align uint64
		sizes            []uint64
		want             []uint64 // addresses, the file starting at 100
	}{
		{"default: 4 KiB from 1 MiB", false, 0, 0, []uint64{16, 1 << 20, 16}, []uint64{104, 4096, 4096 + 1<<20}},
		{"64 KiB from 1000 bytes", true, 1000, 64 << 10, []uint64{992, 1000, 8}, []uint64{104, 64 << 10, 64<<10 + 1000}},
		{"not a power of two", true, 1, 24, []uint64{8, 8, 8}, []uint64{120, 144, 168}},
		{"off", true, 0, 0, []uint64{16, 1 << 20}, []uint64{104, 120}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFile()
			f.eof = 100
			if tc.set {
				if err := f.SetAlignment(tc.threshold, tc.align); err != nil {
					t.Fatal(err)
				}
			}
			for i, n := range tc.sizes {
				if a := f.alloc(n); a != tc.want[i] {
					t.Errorf("alloc(%d) #%d at %d, want %d", n, i, a, tc.want[i])
				}
			}
		})
	}
	for _, bad := range []uint64{12, 2<<30 + 8} {
		if err := NewFile().SetAlignment(1, bad); err == nil {
			t.Errorf("SetAlignment(1, %d) accepted", bad)
		}
	}
}

// TestSetAlignmentDigest: ranks that align differently disagree.
func TestSetAlignmentDigest(t *testing.T) {
	a, b := NewFile(), NewFile()
	_ = a.SetAlignment(1<<20, 4096)
	_ = b.SetAlignment(1<<20, 8192)
	if a.digest == b.digest {
		t.Fatal("different alignments leave the same digest")
	}
}
