package h5file

import (
	"testing"

	"github.com/gorun-hpc/gorun/h5core"
)

// TestPrecisionConversion: integers of a precision below their size
// convert as libhdf5 converts them: clipped to the range on write,
// sign-extended on read, at the type's bit offset.
func TestPrecisionConversion(t *testing.T) {
	s12 := h5core.IntType(2, true, h5core.LittleEndian)
	s12.Precision = 12
	u5at2 := h5core.IntType(1, false, h5core.LittleEndian)
	u5at2.Precision, u5at2.BitOffset = 5, 2
	tests := []struct {
		name   string
		t      *Datatype
		in     int64
		signed bool
		stored uint64
		back   int64
	}{
		{"s12 -5", s12, -5, true, 0xffb, -5},
		{"s12 max", s12, 2047, true, 0x7ff, 2047},
		{"s12 over", s12, 3000, true, 0x7ff, 2047},
		{"s12 under", s12, -3000, true, 0x800, -2048},
		{"s12 from unsigned", s12, 5000, false, 0x7ff, 2047},
		{"u5 at 2", u5at2, 21, false, 21 << 2, 21},
		{"u5 over", u5at2, 40, false, 31 << 2, 31},
		{"u5 negative", u5at2, -1, true, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !partialInt(tc.t) {
				t.Fatal("not a partial-precision type")
			}
			got := toPrecision(tc.t, uint64(tc.in), tc.signed)
			if got != tc.stored {
				t.Fatalf("stored %#x, want %#x", got, tc.stored)
			}
			back := int64(fromPrecision(tc.t, got))
			if back != tc.back {
				t.Fatalf("read back %d, want %d", back, tc.back)
			}
		})
	}
	if partialInt(h5core.Int32LE) {
		t.Fatal("a full-precision int32 is not partial")
	}
}
