package nbit

import (
	"bytes"
	"errors"
	"math/rand"
	"testing"
)

func TestEncodeVectors(t *testing.T) {
	tests := []struct {
		name string
		cd   []uint32
		in   []byte
		want []byte
	}{
		{"u16 LE 12 bits", AtomicClientData(4, 2, false, 12, 0),
			[]byte{0xbc, 0x0a, 0x23, 0x01, 0xff, 0x0f, 0x01, 0x00},
			[]byte{0xab, 0xc1, 0x23, 0xff, 0xf0, 0x01, 0x00}},
		{"u16 BE 12 bits", AtomicClientData(4, 2, true, 12, 0),
			[]byte{0x0a, 0xbc, 0x01, 0x23, 0x0f, 0xff, 0x00, 0x01},
			[]byte{0xab, 0xc1, 0x23, 0xff, 0xf0, 0x01, 0x00}},
		{"u16 LE 8 bits at 4", AtomicClientData(2, 2, false, 8, 4),
			[]byte{0xb0, 0x0a, 0x50, 0x03},
			[]byte{0xab, 0x35, 0x00}},
		{"u8 3 bits at 2", AtomicClientData(3, 1, false, 3, 2),
			[]byte{0x1c, 0x04, 0x14},
			[]byte{0xe6, 0x80}},
		{"full precision copies", AtomicClientData(2, 2, false, 16, 0),
			[]byte{1, 2, 3, 4}, []byte{1, 2, 3, 4}},
		// compound {u16 12 bits at 0; opaque byte at 2}, 2 elements.
		{"compound", []uint32{15, 0, 2, classCompound, 3, 2, 0, classAtomic, 2, OrderLE, 12, 0, 2, classNoop, 1},
			[]byte{0xbc, 0x0a, 0x5a, 0x23, 0x01, 0xff},
			[]byte{0xab, 0xc5, 0xa1, 0x23, 0xff, 0x00}},
		// array of 2 u8 with 4 bits, 1 element.
		{"array", []uint32{9, 0, 1, classArray, 2, classAtomic, 1, OrderLE, 4, 0}[:9],
			nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Encode(tc.cd, tc.in)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("Encode with short client data gave %x, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("Encode = % x, want % x", got, tc.want)
			}
			back, err := Decode(tc.cd, got, len(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back, tc.in) {
				t.Fatalf("Decode = % x, want % x", back, tc.in)
			}
		})
	}
}

func TestArrayRoundTrip(t *testing.T) {
	cd := []uint32{10, 0, 3, classArray, 4, classAtomic, 2, OrderBE, 10, 3}
	in := make([]byte, 12)
	for i := 0; i < 6; i++ {
		v := uint16(i*97%1024) << 3
		in[2*i], in[2*i+1] = byte(v>>8), byte(v)
	}
	enc, err := Encode(cd, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) != 6*10/8+1 {
		t.Fatalf("packed %d bytes, want %d", len(enc), 6*10/8+1)
	}
	dec, err := Decode(cd, enc, len(in))
	if err != nil || !bytes.Equal(dec, in) {
		t.Fatalf("Decode = % x, %v; want % x", dec, err, in)
	}
}

func TestRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, size := range []uint32{1, 2, 4, 8, 16} {
		for _, be := range []bool{false, true} {
			for trial := 0; trial < 20; trial++ {
				prec := 1 + uint32(rng.Intn(int(size*8)))
				off := uint32(rng.Intn(int(size*8 - prec + 1)))
				n := uint32(rng.Intn(50))
				cd := AtomicClientData(n, size, be, prec, off)
				in := make([]byte, n*size)
				rng.Read(in)
				// Keep only the precision bits: N-bit drops the rest.
				for e := uint32(0); e < n; e++ {
					el := in[e*size : (e+1)*size]
					for bit := uint32(0); bit < size*8; bit++ {
						if bit < off || bit >= off+prec {
							el[byteOf(int(size), uint(bit), be)] &^= 1 << (bit % 8)
						}
					}
				}
				enc, err := Encode(cd, in)
				if err != nil {
					t.Fatal(err)
				}
				if cd[1] == 0 && len(enc) != int(n*prec/8+1) {
					t.Fatalf("size %d prec %d: %d bytes, want %d", size, prec, len(enc), n*prec/8+1)
				}
				dec, err := Decode(cd, enc, len(in))
				if err != nil || !bytes.Equal(dec, in) {
					t.Fatalf("size %d be %v prec %d off %d: round trip %v", size, be, prec, off, err)
				}
			}
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	tests := []struct {
		name string
		cd   []uint32
		src  []byte
		max  int
		want error
	}{
		{"claims more than max", AtomicClientData(1<<30, 4, false, 12, 0), make([]byte, 64), 1 << 20, ErrTooLarge},
		{"data too short", AtomicClientData(100, 2, false, 12, 0), make([]byte, 10), 200, ErrData},
		{"count mismatch", []uint32{9, 0, 1, 1, 2, 0, 12, 0}, nil, 10, ErrParams},
		{"precision past size", []uint32{8, 0, 1, 1, 2, 0, 12, 8}, []byte{0, 0, 0}, 10, ErrParams},
		{"precision 0", []uint32{8, 0, 1, 1, 2, 0, 0, 0}, []byte{0, 0, 0}, 10, ErrParams},
		{"member past element", []uint32{11, 0, 1, classCompound, 2, 1, 1, classAtomic, 2, 0, 8, 0}[:11], []byte{0, 0}, 10, ErrParams},
		{"short array", []uint32{6, 0, 1, classArray, 4, classAtomic}, []byte{0}, 10, ErrParams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.cd, tc.src, tc.max)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode error %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(uint32(4), uint32(2), false, uint32(12), uint32(0), []byte{0xab, 0xc1, 0x23, 0xff, 0xf0, 0x01, 0x00})
	f.Add(uint32(3), uint32(16), true, uint32(100), uint32(7), make([]byte, 40))
	f.Fuzz(func(t *testing.T, n, size uint32, be bool, prec, off uint32, src []byte) {
		cd := AtomicClientData(n, size, be, prec, off)
		const max = 1 << 16
		out, err := Decode(cd, src, max)
		if err != nil {
			return
		}
		if len(out) > max {
			t.Fatalf("decoded %d bytes past max %d", len(out), max)
		}
		if cd[1] == 0 {
			enc, err := Encode(cd, out)
			if err != nil {
				t.Fatal(err)
			}
			// Re-decoding what we encode gives the same values.
			again, err := Decode(cd, enc, max)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("re-decode differs: %v", err)
			}
		}
	})
}

func FuzzDecodeClientData(f *testing.F) {
	f.Add([]byte{15, 0, 2, 3, 3, 2, 0, 1, 2, 0, 12, 0, 2, 4, 1}, []byte{0xab, 0xc5, 0xa1, 0x23, 0xff, 0x00})
	f.Fuzz(func(t *testing.T, cdb []byte, src []byte) {
		cd := make([]uint32, len(cdb))
		for i, b := range cdb {
			cd[i] = uint32(b)
		}
		out, err := Decode(cd, src, 4096)
		if err == nil && len(out) > 4096 {
			t.Fatalf("decoded %d bytes past max", len(out))
		}
	})
}
