package nbit

import (
	"bytes"
	"testing"

	"github.com/gorun-hpc/gorun/filters/internal/vectors"
)

// TestLibhdf5Chunks decodes every chunk libhdf5 wrote, checks the values
// h5py read (the file types here are unsigned, so the precision bits are
// the values, shifted to the type's bit offset), and checks that encoding
// them gives libhdf5's bytes.
func TestLibhdf5Chunks(t *testing.T) {
	for _, d := range vectors.Load(t, "nbit_") {
		if !d.Filters[0].Complete() {
			// nbit_compound: more client data than h5py reports;
			// h5core's TestFiltersBLibhdf5 checks it with the file's own.
			continue
		}
		t.Run(d.Name, func(t *testing.T) {
			cd := d.Filters[0].CD
			es := d.ItemSize()
			bitOff := uint(0)
			if cd[1] == 0 {
				bitOff = uint(cd[7])
			}
			for _, c := range d.Stored {
				vals, real := d.ChunkValues(c.Offset[0])
				got, err := Decode(cd, c.Raw(), len(vals))
				if err != nil {
					t.Fatalf("chunk %v: %v", c.Offset, err)
				}
				if len(got) != len(vals) {
					t.Fatalf("chunk %v: %d bytes, want %d", c.Offset, len(got), len(vals))
				}
				for i := 0; i < real; i++ {
					want := load(vals[i*es:(i+1)*es], false) << bitOff
					if v := load(got[i*es:(i+1)*es], d.BigEndian()); v != want {
						t.Fatalf("chunk %v element %d: %#x, want %#x", c.Offset, i, v, want)
					}
				}
				enc, err := Encode(cd, got)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(enc, c.Raw()) {
					t.Fatalf("chunk %v: encoded % x..., libhdf5 wrote % x...", c.Offset, head(enc), head(c.Raw()))
				}
			}
		})
	}
}

func head(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}
