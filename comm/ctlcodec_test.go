package comm

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// TestCtlRoundTrip: every message writeCtl makes, readCtl gives back.
func TestCtlRoundTrip(t *testing.T) {
	many := make([]string, 300)
	for i := range many {
		many[i] = "10.0.0.1:" + strings.Repeat("9", i%6+1)
	}
	manyRanks := make([]int, 300)
	for i := range manyRanks {
		manyRanks[i] = i * 1000
	}
	for _, m := range []ctlMsg{
		{T: "reg", Addr: "127.0.0.1:4242"},
		{T: "table", Addrs: []string{"a:1", "b:2", "c:3"}},
		{T: "table", Addrs: many},
		{T: "failed", Rank: 3, Msg: "killed by signal 9"},
		{T: "abort", Rank: 70000, Code: -1, Msg: strings.Repeat("x", 70000)},
		{T: "abort", Code: 255},
		{T: "abort", Code: -129, Rank: 128},
		{T: "bye"},
		{T: "bye", Ranks: []int{0, 2, 70000}, Code: 2, Msg: "closed its communicator"},
		{T: "left", Rank: 1, Ranks: manyRanks},
		{},
	} {
		var b bytes.Buffer
		if err := writeCtl(&b, m); err != nil {
			t.Fatal(err)
		}
		got, err := readCtl(&b)
		if err != nil {
			t.Fatalf("%+v: %v", m, err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("round trip: got %+v, want %+v", got, m)
		}
	}
}

// TestCtlRefuses: lying lengths, wrong types and trailing bytes are errors.
func TestCtlRefuses(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":          {},
		"not a map":      {0xa1, 't'},
		"map32 huge":     {0xdf, 0x7f, 0xff, 0xff, 0xff},
		"array32 huge":   append([]byte{0x81, 0xa2, 'a', 's', 0xdd, 0x30, 0, 0, 0}, 'x'),
		"str32 huge":     {0x81, 0xa1, 't', 0xdb, 0x30, 0, 0, 0, 'x'},
		"unknown field":  {0x81, 0xa1, 'z', 0x01},
		"number as text": {0x81, 0xa1, 'r', 0xa1, '1'},
		"int64 too big":  {0x81, 0xa1, 'r', 0xd3, 0x7f, 0, 0, 0, 0, 0, 0, 0},
		"trailing":       {0x80, 0x00},
		"short int":      {0x81, 0xa1, 'c', 0xd2, 0},
	} {
		if m, err := decodeCtl(b); err == nil {
			t.Errorf("%s: decoded %+v, want an error", name, m)
		}
	}
}

// TestCtlFuzzCorpusSmall: the inputs that made msgpack allocate megabytes
// (kept in testdata/fuzz/FuzzControl) now cost little memory.
func TestCtlFuzzCorpusSmall(t *testing.T) {
	files, _ := filepath.Glob("testdata/fuzz/FuzzControl/*")
	if len(files) == 0 {
		t.Fatal("no FuzzControl corpus")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in := fuzzCorpusBytes(t, raw)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			_, _ = readCtl(bytes.NewReader(in))
		}
		runtime.ReadMemStats(&after)
		if got := after.TotalAlloc - before.TotalAlloc; got > 10*(uint64(len(in))*2+64<<10) {
			t.Errorf("%s: 10 decodes of %d bytes allocated %d bytes", filepath.Base(f), len(in), got)
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

// FuzzCtlAgreesWithMsgpack: where msgpack's own decoder and ours both accept
// a message, they agree.
func FuzzCtlAgreesWithMsgpack(f *testing.F) {
	for _, m := range []ctlMsg{{T: "reg", Addr: "x:1"}, {T: "table", Addrs: []string{"a", "b"}}, {T: "abort", Rank: -3, Code: 1 << 20}, {T: "left", Rank: 2, Ranks: []int{1, 3}}} {
		b, _ := msgpack.Marshal(&m)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ours, err := decodeCtl(b)
		if err != nil {
			return
		}
		var theirs ctlMsg
		if msgpack.Unmarshal(b, &theirs) != nil {
			return
		}
		if !reflect.DeepEqual(ours, theirs) && !(len(ours.Addrs) == 0 && len(theirs.Addrs) == 0) {
			t.Fatalf("ours %+v, msgpack %+v", ours, theirs)
		}
	})
}
