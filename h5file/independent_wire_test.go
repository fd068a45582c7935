package h5file

import (
	"errors"
	"reflect"
	"testing"

	"github.com/gorun-hpc/gorun/h5core"
)

// wireOps is a log with every kind of op and field.
func wireOps() []indepOp {
	cmp := &h5core.Datatype{Class: h5core.ClassCompound, Size: 12, Members: []h5core.Member{
		{Name: "a", Offset: 0, Type: Int32}, {Name: "b", Offset: 4, Type: Float64}}}
	return []indepOp{
		{Kind: indepGroup, Path: "/g"},
		{Kind: indepDataset, Path: "/g/d", Spec: &h5core.DatasetSpec{Type: Float64, Shape: []uint64{10, 4}, MaxShape: []uint64{Unlimited, 4},
			Chunk: []uint64{5, 4}, Fill: []byte{1, 2, 3, 4, 5, 6, 7, 8}, Filters: []h5core.Filter{h5core.Deflate(4), {ID: 32001, Flags: 1, Name: "blosc", ClientData: []uint32{2, 2, 8, 0, 5, 1, 1}}}}},
		{Kind: indepDataset, Path: "/c", Spec: &h5core.DatasetSpec{Type: cmp, Shape: []uint64{2}, Compact: true}},
		{Kind: indepDataset, Path: "/e", Spec: &h5core.DatasetSpec{Type: Float64, Null: true}},
		{Kind: indepAttr, Path: "/g", Attr: "names", Type: String, Shape: []uint64{2},
			Value: indepValue{Buf: make([]byte, 32), Counts: []uint32{3, 0}, Data: [][]byte{[]byte("abc"), nil}}},
		{Kind: indepAttr, Path: "/", Attr: "x", Type: Float64, Value: indepValue{Buf: make([]byte, 8)}},
		{Kind: indepWrite, Path: "/g/d", Mode: writeCollective, Local: 3, Start: []uint64{1, 0}, Stride: []uint64{2, 1}, Count: []uint64{2, 4}, Block: []uint64{1, 1}},
		{Kind: indepWrite, Path: "/c", Mode: writeShared, Start: []uint64{0}, Count: []uint64{2}, Value: indepValue{Buf: make([]byte, 24)}},
	}
}

// TestLogRoundTrip: a log reads back as it was written, datatypes
// included (each op its own copy).
func TestLogRoundTrip(t *testing.T) {
	ops := wireOps()
	b, err := encodeLog(ops)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeLog(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ops) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, ops)
	}
	if got[1].Spec.Type == got[5].Type {
		t.Error("two ops share one datatype")
	}
	for n := range b { // every truncation is an error, never a panic
		if _, err := decodeLog(b[:n]); !errors.Is(err, errLog) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	if ops, err := decodeLog(mustEncode(t, nil)); err != nil || len(ops) != 0 {
		t.Fatalf("an empty log: %v, %v", ops, err)
	}
}

func mustEncode(t *testing.T, ops []indepOp) []byte {
	b, err := encodeLog(ops)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzDecodeLog: a log from the network never panics the decoder or makes
// it allocate beyond its size, and what it accepts writes back to a log
// that reads the same.
func FuzzDecodeLog(f *testing.F) {
	b, err := encodeLog(wireOps())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(logMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		ops, err := decodeLog(b)
		if err != nil {
			return
		}
		b2, err := encodeLog(ops)
		if err != nil {
			return // a datatype msgpack reads but will not write
		}
		ops2, err := decodeLog(b2)
		if err != nil || !reflect.DeepEqual(ops, ops2) {
			t.Fatalf("re-encoded log reads differently: %v", err)
		}
	})
}

// TestLogDatatypeFields: the log writes every field of h5core.Datatype;
// a field added there must be added to appendType and readType (and the
// count here).
func TestLogDatatypeFields(t *testing.T) {
	if n := reflect.TypeFor[h5core.Datatype]().NumField(); n != 24 {
		t.Fatalf("h5core.Datatype has %d fields; independent_wire.go writes 24: add the new ones", n)
	}
	enum := &h5core.Datatype{Class: h5core.ClassEnum, Size: 1, Base: h5core.IntType(1, true, h5core.LittleEndian),
		EnumNames: []string{"a", "b"}, EnumValues: [][]byte{{0}, {1}}}
	arr := &h5core.Datatype{Class: h5core.ClassArray, Size: 24, Base: Float64, Dims: []uint32{3}}
	op := &h5core.Datatype{Class: h5core.ClassOpaque, Size: 4, Tag: "tag", PadBits: 3, BitOffset: 2}
	for _, typ := range []*h5core.Datatype{enum, arr, op, String, Float16, Int64} {
		b, err := appendType(nil, typ, 0)
		if err != nil {
			t.Fatal(err)
		}
		r := &logReader{b: b}
		if got := r.readType(0); r.err != nil || !reflect.DeepEqual(got, typ) || len(r.b) != 0 {
			t.Errorf("%v reads back as %+v (%v)", typ, got, r.err)
		}
	}
}
