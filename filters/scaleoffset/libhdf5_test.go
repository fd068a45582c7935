package scaleoffset

import (
	"bytes"
	"testing"

	"github.com/gorun-hpc/gorun/filters/internal/vectors"
)

// toFileOrder turns little-endian values into the dataset's byte order.
func toFileOrder(b []byte, size int, be bool) []byte {
	out := append([]byte(nil), b...)
	if be {
		for i := 0; i < len(out); i += size {
			for j := 0; j < size/2; j++ {
				out[i+j], out[i+size-1-j] = out[i+size-1-j], out[i+j]
			}
		}
	}
	return out
}

// TestLibhdf5Chunks decodes every chunk libhdf5 wrote and checks the values
// h5py read; it then encodes those values and checks the bytes are
// libhdf5's, byte for byte.
func TestLibhdf5Chunks(t *testing.T) {
	for _, d := range vectors.Load(t, "so_") {
		t.Run(d.Name, func(t *testing.T) {
			cd := d.Filters[0].ZeroPadded()
			es := d.ItemSize()
			for _, c := range d.Stored {
				want, real := d.ChunkValues(c.Offset[0])
				got, err := Decode(cd, c.Raw(), len(want))
				if err != nil {
					t.Fatalf("chunk %v: %v", c.Offset, err)
				}
				wantFile := toFileOrder(want, es, d.BigEndian())
				if !bytes.Equal(got[:real*es], wantFile[:real*es]) {
					t.Fatalf("chunk %v: decoded\n% x\nwant\n% x", c.Offset, got[:real*es], wantFile[:real*es])
				}
				enc, err := Encode(cd, got)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(enc, c.Raw()) {
					t.Fatalf("chunk %v: encoded\n% x\nlibhdf5 wrote\n% x", c.Offset, enc, c.Raw())
				}
			}
		})
	}
}
