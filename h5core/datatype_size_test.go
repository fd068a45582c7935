package h5core

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// TestDatatypeSizeRefused: a datatype message whose size field disagrees
// with its class (one flipped byte makes a float of 16 MiB per element)
// is a FormatError at the size field's offset, so no reader allocates
// elements x size bytes for it. Valid sizes still decode.
func TestDatatypeSizeRefused(t *testing.T) {
	const base = 1000 // file offset of the message in the errors
	withSize := func(t *Datatype, size uint32) []byte {
		b, err := t.encode()
		if err != nil {
			panic(err)
		}
		binary.LittleEndian.PutUint32(b[4:], size)
		return b
	}
	cases := []struct {
		name string
		msg  []byte
		want string // "" decodes
	}{
		{"f64", withSize(Float64LE, 8), ""},
		{"f16", withSize(FloatType(2, LittleEndian), 2), ""},
		{"long double", func() []byte {
			t := FloatType(8, LittleEndian)
			t.Size, t.Precision, t.SignLoc, t.ExpLoc, t.ExpSize, t.MantSize = 16, 80, 79, 64, 15, 64
			return withSize(t, 16)
		}(), ""},
		{"f64 size flipped", withSize(Float64LE, 0xff0008), "float of 16711688 bytes"},
		{"f64 size 3", withSize(FloatType(2, LittleEndian), 3), "float of 3 bytes"},
		{"f32 size 8 keeps its fields", withSize(Float32LE, 8), ""},
		{"f64 size 4: exponent outside", withSize(Float64LE, 4), "fields outside it"},
		{"i32", withSize(Int32LE, 4), ""},
		{"i32 size flipped", withSize(Int32LE, 0xfb), "integer of 251 bytes"},
		{"u8 size 3", withSize(Uint8LE, 3), "integer of 3 bytes"},
		{"i64 size 2: precision past it", withSize(Int64LE, 2), "precision 64"},
		{"vlen string", withSize(VlenString(UTF8), VlenRefSize), ""},
		{"vlen size flipped", withSize(VlenString(UTF8), 0xef), "variable-length type of 239 bytes"},
		{"enum", withSize(Bool(), 1), ""},
		{"enum size flipped", withSize(Bool(), 0xfe), "enum of 254 bytes over a 1-byte base"},
		{"array", withSize(ArrayOf(Float64LE, 2, 3), 48), ""},
		{"array size flipped", withSize(ArrayOf(Float64LE, 2, 3), 0xff000030), "stored as 4278190128 bytes (want 48)"},
		{"fixed string any size", withSize(FixedString(7, ASCII, PadNull), 0xff07), ""},
		{"string of 0 bytes", withSize(FixedString(3, ASCII, PadNull), 0), "string of 0 bytes"},
		{"array of 4 GiB", withSize(ArrayOf(FixedString(1, ASCII, PadNull), 1<<16, 1<<16), 1<<32-1), "4 GiB or more"},
		{"compound", withSize(Compound(8, Member{Name: "a", Type: Float64LE}), 8), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dt, err := decodeDatatype(c.msg, base)
			if c.want == "" {
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				if dt == nil {
					t.Fatal("nil type without an error")
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, ErrFormat) {
				t.Fatalf("got %v, want a *FormatError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %q, want it to say %q", err, c.want)
			}
			if fe.Off != base+4 {
				t.Errorf("error at offset %d, want %d (the size field)", fe.Off, base+4)
			}
		})
	}
	// A member whose own size is wrong is refused at the member's size field.
	cm, err := Compound(8, Member{Name: "a", Type: Float64LE}).encode()
	if err != nil {
		t.Fatal(err)
	}
	mOff := len(cm) - 20 // the member's float message: 8 header + 12 properties
	binary.LittleEndian.PutUint32(cm[mOff+4:], 0xff0008)
	_, err = decodeDatatype(cm, base)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Off != int64(base+mOff+4) {
		t.Errorf("compound member of a flipped size: %v, want a FormatError at %d", err, base+mOff+4)
	}
}
