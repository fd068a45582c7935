package szip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/gorun-hpc/gorun/filters/internal/vectors"
)

// TestLibhdf5Chunks decodes every chunk libhdf5 (through libaec) wrote in
// testdata/filters/filters_b.h5: NN and EC coding, 8-, 16-, 32- and 64-bit
// pixels, little- and big-endian, scanlines that are not whole blocks.
func TestLibhdf5Chunks(t *testing.T) {
	for _, d := range vectors.Load(t, "szip_") {
		t.Run(d.Name, func(t *testing.T) {
			cd := d.Filters[0].CD
			es := d.ItemSize()
			rows := 1
			for _, c := range d.Chunks[1:] {
				rows *= int(c)
			}
			chunkBytes := int(d.Chunks[0]) * rows * es
			vals := d.Values()
			for _, c := range d.Stored {
				if c.Mask&1 != 0 {
					continue // libhdf5 skipped the filter: the chunk grew
				}
				got, err := Decode(cd, c.Raw(), chunkBytes)
				if err != nil {
					t.Fatalf("chunk %v: %v", c.Offset, err)
				}
				if len(got) != chunkBytes {
					t.Fatalf("chunk %v: %d bytes, want %d", c.Offset, len(got), chunkBytes)
				}
				if d.BigEndian() {
					for i := 0; i < len(got); i += es {
						for j := 0; j < es/2; j++ {
							got[i+j], got[i+es-1-j] = got[i+es-1-j], got[i+j]
						}
					}
				}
				start := int(c.Offset[0]) * rows * es
				end := min(start+chunkBytes, len(vals))
				if !bytes.Equal(got[:end-start], vals[start:end]) {
					t.Fatalf("chunk %v: decoded values differ from h5py's", c.Offset)
				}
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	cd := []uint32{OptRaw | OptNN | OptLSB, 16, 32, 500}
	big := binary.LittleEndian.AppendUint32(nil, 1<<31)
	small := binary.LittleEndian.AppendUint32(nil, 2000)
	tests := []struct {
		name string
		cd   []uint32
		src  []byte
		want error
	}{
		{"claims more than max", cd, big, ErrTooLarge},
		{"stream ends", cd, append(small, 0xff), ErrData},
		{"no header", cd, []byte{1}, ErrData},
		{"block size 12", []uint32{OptNN, 12, 32, 500}, small, ErrParams},
		{"48 bits", []uint32{OptNN, 16, 48, 500}, small, ErrParams},
		{"three values", []uint32{1, 2, 3}, small, ErrParams},
		{"huge scanline", []uint32{OptNN, 8, 8, 1 << 30}, small, ErrParams},
		{"scanline shorter than a block", []uint32{OptNN, 64, 8, 1}, small, ErrParams},
		// id 0, second bit 0 (zero block), FS 0: run of 1 block... then the
		// stream ends.
		{"zero blocks then end", []uint32{0, 8, 8, 8}, append(binary.LittleEndian.AppendUint32(nil, 64), 0x01), ErrData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.cd, tc.src, 1<<20); !errors.Is(err, tc.want) {
				t.Fatalf("Decode error %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, d := range vectors.Load(f, "szip_") {
		c := d.Stored[0].Raw()
		f.Add(d.Filters[0].CD[0], d.Filters[0].CD[1], d.Filters[0].CD[2], d.Filters[0].CD[3], c)
	}
	f.Fuzz(func(t *testing.T, opts, ppb, bpp, ppsl uint32, src []byte) {
		const max = 1 << 16
		out, err := Decode([]uint32{opts, ppb, bpp, ppsl % 8192}, src, max)
		if err == nil && len(out) > max {
			t.Fatalf("decoded %d bytes past max", len(out))
		}
	})
}
