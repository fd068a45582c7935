package msgcheck

import (
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// TestCheckAcceptsWhatMsgpackWrites: every value the runtime sends passes.
func TestCheckAcceptsWhatMsgpackWrites(t *testing.T) {
	type rec struct {
		Name  string
		Dims  []uint64
		Attrs map[string]any
		Raw   []byte
		F     float32
		D     float64
		Neg   int64
	}
	for _, v := range []any{
		nil, true, 0, -1, 1 << 40, -1 << 40, 3.5, float32(1.5), "", strings.Repeat("x", 70000),
		[]int{}, []int{1, 2, 3}, map[string]int{"a": 1}, []byte(strings.Repeat("y", 300)),
		rec{Name: "d", Dims: []uint64{1, 2}, Attrs: map[string]any{"u": "m", "n": []any{1, "x", nil}}, Raw: []byte{1}, F: 1, D: 2, Neg: -5},
		[][]string{{"a"}, {}, {"b", "c"}},
	} {
		b, err := msgpack.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(b); err != nil {
			t.Errorf("%#v: %v", v, err)
		}
	}
}

// TestCheckRefuses: lengths beyond the message, truncation, the reserved
// byte and deep nesting are errors.
func TestCheckRefuses(t *testing.T) {
	deep := append([]byte(nil), []byte(strings.Repeat("\x91", MaxDepth+1))...)
	deep = append(deep, 0)
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"array32 of 2^31", []byte{0xdd, 0x80, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"map32 of 2^31", []byte{0xdf, 0x80, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"map of 2 with 3 bytes", []byte{0x82, 1, 2, 3}},
		{"str32 too long", []byte{0xdb, 0, 0, 1, 0, 'a'}},
		{"bin8 too long", []byte{0xc4, 5, 1}},
		{"ext32 too long", []byte{0xc9, 0xff, 0xff, 0xff, 0xff, 1}},
		{"truncated float64", []byte{0xcb, 0, 0}},
		{"truncated length", []byte{0xdb, 0}},
		{"reserved", []byte{0xc1}},
		{"missing element", []byte{0x92, 1}},
		{"too deep", deep},
	} {
		if err := Check(tc.b); err == nil {
			t.Errorf("%s: accepted % x", tc.name, tc.b[:min(len(tc.b), 16)])
		}
	}
}

// FuzzCheck: Check never panics, and what it accepts msgpack decodes
// without allocating beyond the message's own size by much.
func FuzzCheck(f *testing.F) {
	for _, v := range []any{1, "s", []any{1, "a", map[string]any{"k": []byte{1}}}} {
		b, _ := msgpack.Marshal(v)
		f.Add(b)
	}
	f.Add([]byte{0xdd, 0x80, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if Check(b) != nil {
			return
		}
		var v any
		_ = msgpack.Unmarshal(b, &v)
	})
}
