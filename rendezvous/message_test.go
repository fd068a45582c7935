package rendezvous

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestMsgRoundTrip: every message Write makes, Read and Parse give back.
func TestMsgRoundTrip(t *testing.T) {
	many := make([]string, 300)
	for i := range many {
		many[i] = "10.0.0.1:" + strings.Repeat("9", i%6+1)
	}
	manyRanks := make([]int, 300)
	for i := range manyRanks {
		manyRanks[i] = i * 1000
	}
	for _, m := range []Msg{
		{Type: TypeRegister, Text: "127.0.0.1:4242"},
		{Type: TypeTable, Addrs: []string{"a:1", "b:2", "c:3"}},
		{Type: TypeTable, Addrs: many},
		{Type: TypeTable, Addrs: []string{"", "x"}},
		{Type: TypeFailed, Rank: 3, Text: "killed by signal 9"},
		{Type: TypeAbort, Rank: 70000, Code: -1},
		{Type: TypeAbort, Code: 255},
		{Type: TypeCause, Rank: 2},
		{Type: TypeGoodbye},
		{Type: TypeGoodbye, Ranks: []int{0, 2, 70000}, Cause: 3, Text: "closed its communicator"},
		{Type: TypeLeft, Rank: 1, Ranks: manyRanks},
		{Type: TypePanicked, Rank: -5},
		{Type: TypeStats, Code: 1, Text: `{"rank":3}`},
		{Type: TypeFailed, Text: strings.Repeat("x", 70000)},
	} {
		var b bytes.Buffer
		if err := Write(&b, m); err != nil {
			t.Fatal(err)
		}
		whole := bytes.Clone(b.Bytes())
		got, err := Read(&b)
		if err != nil {
			t.Fatalf("%v: %v", m.Type, err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("round trip: got %+v, want %+v", got, m)
		}
		if b.Len() != 0 {
			t.Errorf("%v: %d bytes left after the message", m.Type, b.Len())
		}
		if got, err := Parse(whole); err != nil || !reflect.DeepEqual(got, m) {
			t.Errorf("Parse: got %+v, %v; want %+v", got, err, m)
		}
	}
}

// TestMsgWriteRefuses: what cannot be encoded is an error, not a truncated
// message.
func TestMsgWriteRefuses(t *testing.T) {
	for name, m := range map[string]Msg{
		"payload over the limit": {Type: TypeFailed, Text: strings.Repeat("x", MaxPayload+1)},
		"long address":           {Type: TypeTable, Addrs: []string{strings.Repeat("a", 70000)}},
		"rank out of range":      {Type: TypeFailed, Rank: 1 << 40},
		"ranks out of range":     {Type: TypeGoodbye, Ranks: []int{-1 << 40}},
	} {
		if err := Write(io.Discard, m); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v, want ErrFormat", name, err)
		}
	}
}

// hdr is a message header with the given counts and payload length.
func hdr(typ byte, nranks, naddrs, n uint32) []byte {
	m := Msg{Type: Type(typ)}
	b, _ := m.Append(nil)
	b[4] = typ
	le := func(off int, v uint32) {
		b[off], b[off+1], b[off+2], b[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	le(20, nranks)
	le(24, naddrs)
	le(28, n)
	return b
}

// TestMsgRefuses: lying counts, unknown types, bad magic and short input
// are errors (ErrFormat where the bytes are there but wrong).
func TestMsgRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		b      []byte
		format bool // ErrFormat, else a read error (short input)
	}{
		{"empty", []byte{}, false},
		{"short header", hdr(1, 0, 0, 0)[:20], false},
		{"bad magic", append([]byte("GET / HTTP/1.1\r\n"), make([]byte, 16)...), true},
		{"type 0", hdr(0, 0, 0, 0), true},
		{"unknown type", hdr(byte(typeLast)+1, 0, 0, 0), true},
		{"padding", func() []byte { b := hdr(1, 0, 0, 0); b[6] = 1; return b }(), true},
		{"payload over the limit", hdr(3, 0, 0, MaxPayload+1), true},
		{"payload ends early", append(hdr(3, 0, 0, 10), "abc"...), false},
		{"ranks beyond the payload", append(hdr(6, 3, 0, 8), make([]byte, 8)...), true},
		{"huge rank count", append(hdr(6, 1<<30, 0, 4), make([]byte, 4)...), true},
		{"addresses beyond the payload", append(hdr(2, 0, 3, 4), 1, 0, 'a', 0), true},
		{"address longer than the rest", append(hdr(2, 0, 1, 4), 9, 0, 'a', 'b'), true},
		{"huge address count", append(hdr(2, 0, 1<<31, 2), 0, 0), true},
	} {
		_, err := Read(bytes.NewReader(tc.b))
		if err == nil || tc.format != errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v, want an error (ErrFormat: %v)", tc.name, err, tc.format)
		}
	}
	// A message of the former protocol (a length, then msgpack), shorter
	// than a header: refused on its first 4 bytes, without waiting for
	// more.
	pr, pw := io.Pipe()
	go func() { _, _ = pw.Write([]byte{0x14, 0, 0, 0, 0x82, 0xa1, 't', 0xa3, 'r', 'e', 'g'}) }()
	if _, err := Read(pr); !errors.Is(err, ErrFormat) {
		t.Errorf("a message of the former protocol: %v, want ErrFormat", err)
	}
	pw.Close()
	if _, err := Parse(append(hdr(3, 0, 0, 2), "abc"...)); !errors.Is(err, ErrFormat) {
		t.Errorf("Parse with a byte more than declared: %v, want ErrFormat", err)
	}
}

// TestCtlFuzzCorpusSmall: the inputs kept in testdata/fuzz/FuzzControl
// (among them those that made the former msgpack decoder allocate
// megabytes) cost little memory: a payload buffer grows only as its bytes
// arrive.
func TestCtlFuzzCorpusSmall(t *testing.T) {
	files, _ := filepath.Glob("testdata/fuzz/FuzzControl/*")
	if len(files) == 0 {
		t.Fatal("no FuzzControl corpus")
	}
	lying := append(hdr(3, 0, 0, MaxPayload), "only a few bytes"...)
	inputs := [][]byte{lying}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, fuzzCorpusBytes(t, raw))
	}
	for i, in := range inputs {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			_, _ = Read(bytes.NewReader(in))
		}
		runtime.ReadMemStats(&after)
		if got := after.TotalAlloc - before.TotalAlloc; got > 10*(uint64(len(in))*2+64<<10) {
			t.Errorf("input %d: 10 decodes of %d bytes allocated %d bytes", i, len(in), got)
		}
	}
}

// fuzzCorpusBytes parses a "go test fuzz v1" file holding one []byte.
func fuzzCorpusBytes(t *testing.T, raw []byte) []byte {
	t.Helper()
	lines := strings.SplitN(string(raw), "\n", 3)
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "[]byte(") {
		t.Fatalf("unexpected corpus file: %q", raw)
	}
	lit := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(lines[1]), "[]byte("), ")")
	s, err := strconv.Unquote(lit)
	if err != nil {
		t.Fatalf("corpus literal %s: %v", lit, err)
	}
	return []byte(s)
}

// FuzzControl decodes arbitrary control streams (rank <-> rendezvous): no
// panic, no allocation beyond the payload limit, and what decodes encodes
// back to the same bytes.
func FuzzControl(f *testing.F) {
	for _, m := range []Msg{
		{Type: TypeFailed, Rank: 3, Text: "killed by signal 9"},
		{Type: TypeTable, Addrs: []string{"a:1", "b:2"}},
		{Type: TypeLeft, Rank: 2, Ranks: []int{1, 3}, Cause: 1, Text: "x"},
	} {
		b, _ := m.Append(nil)
		f.Add(b)
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		again, err := m.Append(nil)
		if err != nil {
			t.Fatalf("decoded %+v does not encode: %v", m, err)
		}
		if !bytes.Equal(again, b[:len(again)]) {
			t.Fatalf("re-encoding differs:\n got %x\nfrom %x", again, b[:len(again)])
		}
	})
}
