package h5core

import "testing"

func TestDatatypeString(t *testing.T) {
	i4 := IntType(4, true, LittleEndian)
	for _, tc := range []struct {
		t    *Datatype
		want string
	}{
		{i4, "i32le"},
		{FloatType(8, BigEndian), "f64be"},
		{FixedString(8, 0, PadNull), "S8"},
		{VlenString(0), "vlen-string"},
		{VlenOf(i4), "vlen(i32le)"},
		{ArrayOf(i4, 2, 3), "[2 3]i32le"},
		{Compound(16, Member{Name: "x", Offset: 0, Type: FloatType(8, LittleEndian)}, Member{Name: "id", Offset: 8, Type: i4}), "{x: f64le, id: i32le}"},
		{&Datatype{Class: ClassReference, Size: 8}, "object-ref"},
		{&Datatype{Class: ClassVlen, Size: 16}, "vlen(<no type>)"},
		{nil, "<no type>"},
	} {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}
