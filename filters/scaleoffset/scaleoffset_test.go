package scaleoffset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

func i16s(v ...int16) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(x))
	}
	return b
}

func f64s(v ...float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

func TestEncodeVectors(t *testing.T) {
	i16 := Type{Size: 2, Signed: true}
	tests := []struct {
		name string
		st   ScaleType
		fac  int32
		t    Type
		fill []byte
		in   []byte
		want []byte // after the 21-byte header; nil: check the header only
		bits uint32
		min  uint64
	}{
		// Range -3..4 without a fill value: 8 values, 3 bits, minimum -3.
		{"int no fill", Int, 0, i16, nil, i16s(-3, 4, 0, 1), []byte{0b000_111_01, 0b1_100_0000}, 3, uint64(math.MaxUint64 - 2)},
		// With fill 0 defined: 0 is stored as all ones, range -3..4 needs
		// log2(8+1) = 4 bits.
		{"int fill 0", Int, 0, i16, []byte{0, 0}, i16s(-3, 4, 0, 1), []byte{0x07, 0xf4, 0x00}, 4, uint64(math.MaxUint64 - 2)},
		// All equal, no fill: 0 bits, one byte after the header.
		{"constant", Int, 0, i16, nil, i16s(5, 5, 5), []byte{0}, 0, 5},
		// Forced 16 bits (the type's width): the chunk is stored as is.
		{"full bits", Int, 16, i16, nil, i16s(1, 2), nil, 0, 0},
		// D=1: span round(10-2.5)+1 = 9 values: 4 bits; min 0.25.
		{"float d1", FloatDScale, 1, Type{Float: true, Size: 8}, nil, f64s(0.25, 0.5, 1.0), nil, 4, math.Float64bits(0.25)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cd, err := ClientData(tc.st, tc.fac, uint32(len(tc.in)/tc.t.Size), tc.t, tc.fill)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := Encode(cd, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "full bits" {
				if !bytes.Equal(enc, tc.in) {
					t.Fatalf("Encode = % x, want the input", enc)
				}
				return
			}
			if bits := binary.LittleEndian.Uint32(enc); bits != tc.bits {
				t.Errorf("minbits %d, want %d", bits, tc.bits)
			}
			if min := binary.LittleEndian.Uint64(enc[5:]); min != tc.min {
				t.Errorf("minimum %#x, want %#x", min, tc.min)
			}
			if tc.want != nil && !bytes.Equal(enc[headerLen:], tc.want) {
				t.Errorf("packed % x, want % x", enc[headerLen:], tc.want)
			}
			dec, err := Decode(cd, enc, len(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.t.Float && !bytes.Equal(dec, tc.in) {
				t.Fatalf("Decode = % x, want % x", dec, tc.in)
			}
		})
	}
}

func TestFloatPrecision(t *testing.T) {
	in := []float64{-3.14159, 2.71828, 0, 100.5, -0.001, 42}
	for _, D := range []int32{0, 1, 3, 5} {
		cd, _ := ClientData(FloatDScale, D, uint32(len(in)), Type{Float: true, Size: 8}, make([]byte, 8))
		enc, err := Encode(cd, f64s(in...))
		if err != nil {
			t.Fatal(err)
		}
		dec, err := Decode(cd, enc, 8*len(in))
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range in {
			got := math.Float64frombits(binary.LittleEndian.Uint64(dec[8*i:]))
			if math.Abs(got-x) > 0.5*math.Pow(10, -float64(D))*1.0001 {
				t.Errorf("D=%d: %v decoded as %v", D, x, got)
			}
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	i32 := Type{Size: 4, Signed: true}
	cd, _ := ClientData(Int, 0, 1<<30, i32, nil)
	small, _ := ClientData(Int, 0, 100, i32, nil)
	hdr := make([]byte, headerLen)
	binary.LittleEndian.PutUint32(hdr, 9)
	badBits := append([]byte(nil), hdr...)
	binary.LittleEndian.PutUint32(badBits, 33)
	tests := []struct {
		name string
		cd   []uint32
		src  []byte
		max  int
		want error
	}{
		{"claims more than max", cd, hdr, 1 << 20, ErrTooLarge},
		{"no header", small, hdr[:10], 400, ErrData},
		{"values cut short", small, append(hdr, 1, 2, 3), 400, ErrData},
		{"more bits than the type", small, append(badBits, make([]byte, 500)...), 400, ErrData},
		{"wrong count", []uint32{2, 0, 1}, hdr, 400, ErrParams},
		{"e-scale", []uint32{1, 0, 1, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, hdr, 400, ErrParams},
		{"3-byte int", []uint32{2, 0, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, hdr, 400, ErrParams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.cd, tc.src, tc.max); !errors.Is(err, tc.want) {
				t.Fatalf("Decode error %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(uint8(0), uint32(100), int32(0), true, []byte{9, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3})
	f.Add(uint8(5), uint32(3), int32(2), false, make([]byte, 40))
	f.Fuzz(func(t *testing.T, kind uint8, n uint32, factor int32, fill bool, src []byte) {
		types := []Type{{Size: 1}, {Size: 2, Signed: true}, {Size: 4, BigEndian: true}, {Size: 8, Signed: true},
			{Float: true, Size: 4}, {Float: true, Size: 8, BigEndian: true}}
		ty := types[int(kind)%len(types)]
		st := Int
		if ty.Float {
			st = FloatDScale
		} else if factor < 0 || factor > int32(ty.Size*8) {
			factor = 0
		}
		var fv []byte
		if fill {
			fv = make([]byte, ty.Size)
		}
		cd, err := ClientData(st, factor, n, ty, fv)
		if err != nil {
			t.Fatal(err)
		}
		const max = 1 << 16
		out, err := Decode(cd, src, max)
		if err == nil && len(out) > max {
			t.Fatalf("decoded %d bytes past max", len(out))
		}
		if err == nil && !ty.Float && len(out) == int(n)*ty.Size {
			// Integers: what we decode, we encode and decode to the same.
			enc, err := Encode(cd, out)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Decode(cd, enc, max)
			if err != nil || (factor == 0 && !bytes.Equal(again, out)) {
				t.Fatalf("re-decode: %v", err)
			}
		}
	})
}

func benchData() ([]uint32, []byte) {
	cd, _ := ClientData(Int, 0, 1<<18, Type{Size: 4, Signed: true}, make([]byte, 4))
	src := make([]byte, 4<<18)
	for i := 0; i < 1<<18; i++ {
		binary.LittleEndian.PutUint32(src[4*i:], uint32(int32(math.Sin(float64(i)/1000)*10000)))
	}
	return cd, src
}

func BenchmarkEncodeInt32(b *testing.B) {
	cd, src := benchData()
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		Encode(cd, src)
	}
}

func BenchmarkDecodeInt32(b *testing.B) {
	cd, src := benchData()
	enc, _ := Encode(cd, src)
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		Decode(cd, enc, len(src))
	}
}
