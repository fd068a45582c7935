package iostats

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// rankStats records what a rank of a small job did on file "f.h5": a
// direct write of 4 bytes and, on the ranks in twoPhase, a two-phase
// write of 100 bytes in 2 rounds (as aggregator: 150 bytes written for
// others); metadata steps nested as h5file nests them; collectives on the
// file's communicator and on the world.
func rankStats(rank, size int, twoPhase bool) Snapshot {
	r := New(rank, size)
	r.LabelComm(1, size, "world")
	f := r.File("f.h5")
	f.UseComm(2, size)
	m := f.MetaBegin()
	inner := f.MetaBegin() // a check point inside a flush: one step
	f.r.Comm(2, size).Call("Allgather", r.Now(), 64, 1000)
	f.MetaEnd(inner)
	f.MetaEnd(m)

	var x, y Dataset
	op := f.Begin(&x, "/x", true)
	if nested := f.Begin(&x, "/x", true); nested.d != nil {
		panic("a nested call counted")
	}
	f.Span(KindWrite, r.Now()-1e6, 4, false) // a millisecond of writing
	f.End(op, 4)

	if twoPhase {
		op := f.Begin(&y, "/y", true)
		f.TwoPhase(2)
		r.Comm(2, size).Call("Alltoallv", r.Now(), 300, 5000)
		f.Span(KindWrite, r.Now(), 150, true)
		f.End(op, 100)
	}
	op = f.Begin(&x, "/x", false)
	f.Span(KindRead, r.Now(), 4, false)
	f.End(op, 4)
	r.Comm(1, size).Call("Barrier", r.Now(), 0, 7)
	return r.Snapshot()
}

// TestMergeReport: snapshots survive their wire form, and the merged
// report sums them per file, dataset, rank and communicator.
func TestMergeReport(t *testing.T) {
	var snaps []Snapshot
	for r := range 3 {
		if r == 1 {
			continue // rank 1 sent nothing
		}
		s := rankStats(r, 3, r == 2)
		b, err := s.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeSnapshot(b)
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
		snaps = append(snaps, back)
	}
	rep, err := Merge(3, snaps)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Missing) != 1 || rep.Missing[0] != 1 {
		t.Errorf("missing %v, want [1]", rep.Missing)
	}
	if len(rep.Files) != 1 {
		t.Fatalf("%d files, want 1", len(rep.Files))
	}
	f := rep.Files[0]
	tot := f.Total
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"bytes written", tot.BytesWritten, 4 + 4 + 100},
		{"bytes read", tot.BytesRead, 8},
		{"writes", tot.Writes, 3},
		{"direct writes", tot.DirectWrites, 2},
		{"two-phase writes", tot.TwoPhaseWrites, 1},
		{"write rounds", tot.WriteRounds, 2},
		{"aggregator bytes", tot.AggBytesWritten, 150},
		{"reads", tot.Reads, 2},
		{"metadata steps", tot.MetaCalls, 2},
		{"waiting in metadata", tot.MetaWaitNs, 2000},
		{"waiting in data calls", tot.WaitNs, 5000},
		{"rank 2's bytes", f.Ranks[2].BytesWritten, 104},
		{"rank 1's bytes", f.Ranks[1].BytesWritten, 0},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
	if len(f.Datasets) != 2 || f.Datasets[0].Name != "/x" || f.Datasets[1].Total.BytesWritten != 100 || f.Datasets[1].Ranks[2].WaitNs != 5000 {
		t.Errorf("datasets %+v", f.Datasets)
	}
	if f.Slowest == nil || f.Slowest.Why == "" {
		t.Errorf("no slowest rank: %+v", f.Slowest)
	}
	comms := map[string]CommReport{}
	for _, c := range rep.Comms {
		comms[c.Label] = c
	}
	if w := comms["world"]; w.Total.Calls != 2 || w.Total.WaitNs != 14 || w.Size != 3 {
		t.Errorf("world: %+v", w)
	}
	if fc := comms["file f.h5"]; fc.Total.Calls != 3 || fc.Total.Bytes != 64*2+300 || fc.MostWaiting != 2 {
		t.Errorf("file communicator: %+v", fc)
	}
	if n := len(rep.Timeline.Ranks); n != 3 {
		t.Errorf("timeline of %d ranks, want 3", n)
	}
}

// TestSlowestWhy: the rank that wrote the most bytes is named, with the
// difference that made it slow.
func TestSlowestWhy(t *testing.T) {
	ranks := []Counters{{WriteNs: 10, BytesWritten: 1}, {WriteNs: 900, BytesWritten: 400}, {WriteNs: 12, BytesWritten: 1}, {MetaNs: 50}}
	snaps := make([]*Snapshot, 4)
	for i := range snaps {
		snaps[i] = &Snapshot{}
	}
	s := slowest(ranks, snaps)
	if s == nil || s.Rank != 1 || s.BusyNs != 900 || !strings.Contains(s.Why, "writing") || !strings.Contains(s.Why, "400 B") {
		t.Errorf("slowest: %+v", s)
	}
	ranks = []Counters{{MetaNs: 500, MetaWaitNs: 10}, {MetaNs: 400, MetaWaitNs: 390}, {MetaNs: 400, MetaWaitNs: 380}}
	s = slowest(ranks, snaps[:3])
	if s == nil || s.Rank != 0 || !strings.Contains(s.Why, "rank 0 alone writes the file's metadata") {
		t.Errorf("slowest: %+v", s)
	}
}

// TestReportOutputs: the text names each file with its bytes, the JSON
// reads back, the SVG is XML with a row per rank.
func TestReportOutputs(t *testing.T) {
	var snaps []Snapshot
	for r := range 4 {
		snaps = append(snaps, rankStats(r, 4, r%2 == 0))
	}
	rep, err := Merge(4, snaps)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "\nf.h5: 216 bytes written, 16 bytes read by 4 ranks\n") {
		t.Errorf("text:\n%s", text.String())
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Files[0].Total.BytesWritten != 216 {
		t.Errorf("JSON: %v, %+v", err, back.Files)
	}
	var svg bytes.Buffer
	if err := rep.WriteSVG(&svg); err != nil {
		t.Fatal(err)
	}
	if rows := svgRanks(t, svg.Bytes()); rows != 4 {
		t.Errorf("SVG has %d rank rows, want 4", rows)
	}
}

// svgRanks parses an SVG with encoding/xml and counts its rank rows.
func svgRanks(t *testing.T, b []byte) int {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	rows, root := 0, ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Space + " " + se.Name.Local
			}
			for _, a := range se.Attr {
				if se.Name.Local == "g" && a.Name.Local == "class" && a.Value == "rank" {
					rows++
				}
			}
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Errorf("root element %q, want svg in the SVG namespace", root)
	}
	return rows
}

// TestDecodeSnapshotRejects: what Merge cannot use is refused with
// ErrFormat.
func TestDecodeSnapshotRejects(t *testing.T) {
	long := `[` + strings.Repeat("1,", heatBins) + `1]`
	for _, tc := range []string{
		``,
		`{}`,
		`{"rank":3,"size":3,"heat":{"bin_ns":1}}`,
		`{"rank":0,"size":1,"heat":{"bin_ns":0}}`,
		`{"rank":0,"size":1,"heat":{"bin_ns":1,"write_ns":` + long + `}}`,
		`{"rank":0,"size":1,"heat":{"bin_ns":1},"comms":[{"id":"zz","size":1,"ops":[]}]}`,
		`{"rank":0,"size":1,"heat":{"bin_ns":1},"extra":1}`,
	} {
		if _, err := DecodeSnapshot([]byte(tc)); !errors.Is(err, ErrFormat) {
			t.Errorf("DecodeSnapshot(%.60q): %v, want ErrFormat", tc, err)
		}
	}
	if _, err := Merge(2, []Snapshot{{Rank: 2, Size: 3}}); !errors.Is(err, ErrFormat) {
		t.Errorf("Merge of a rank outside the job: %v", err)
	}
}

// TestBounds: past maxDatasets datasets and maxFiles files, the rest is
// counted under one name, so a snapshot stays bounded.
func TestBounds(t *testing.T) {
	r := New(0, 1)
	f := r.File("a.h5")
	for i := range maxDatasets + 10 {
		op := f.Begin(new(Dataset), strings.Repeat("d", 1+i%7)+string(rune('A'+i%26))+itoa(i), true)
		f.End(op, 1)
	}
	for i := range maxFiles + 5 {
		r.File("f" + itoa(i))
	}
	s := r.Snapshot()
	if len(s.Files) != maxFiles+1 || s.Files[len(s.Files)-1].Path != OtherFiles {
		t.Errorf("%d files, last %q", len(s.Files), s.Files[len(s.Files)-1].Path)
	}
	ds := s.Files[0].Datasets
	if len(ds) != maxDatasets+1 || ds[len(ds)-1].Name != OtherDatasets || ds[len(ds)-1].BytesWritten != 10 {
		t.Errorf("%d datasets, last %+v", len(ds), ds[len(ds)-1])
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func FuzzDecodeSnapshot(f *testing.F) {
	s := rankStats(1, 2, true)
	b, _ := s.Encode()
	f.Add(b)
	f.Add([]byte(`{"rank":0,"size":1,"heat":{"bin_ns":1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeSnapshot(b)
		if err != nil {
			return
		}
		rep, err := Merge(s.Size, []Snapshot{s})
		if err != nil {
			t.Fatalf("a decoded snapshot does not merge: %v", err)
		}
		_ = rep.WriteText(io.Discard)
		_ = rep.WriteSVG(io.Discard)
	})
}

// TestCommsOfReopenedFile: a file opened twice has two communicators of
// its own; the report has one line for it.
func TestCommsOfReopenedFile(t *testing.T) {
	var snaps []Snapshot
	for rank := range 2 {
		r := New(rank, 2)
		for id := range uint64(2) {
			r.File("a.h5").UseComm(10+id, 2)
			r.Comm(10+id, 2).Call("Allgather", r.Now(), 8, 1)
		}
		snaps = append(snaps, r.Snapshot())
	}
	rep, err := Merge(2, snaps)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Comms) != 1 || rep.Comms[0].Total.Calls != 4 || len(rep.Comms[0].Ranks) != 2 || rep.Comms[0].Ranks[1].Calls != 2 {
		t.Errorf("communicators: %+v", rep.Comms)
	}
}

// TestDirect: a rank's own call is counted in one step; inside another
// call (a collective read that reads directly) it adds time and no call.
func TestDirect(t *testing.T) {
	r := New(0, 1)
	f := r.File("d.h5")
	x, y := new(Dataset), new(Dataset)
	f.Direct(x, "/x", true, KindWrite, r.Now()-1000, 8)
	f.Direct(x, "/x", false, KindRead, r.Now()-1000, 8)
	f.Direct(x, "/x", false, KindFilter, r.Now()-1000, 0) // failed: no bytes
	op := f.Begin(y, "/y", false)
	f.Direct(y, "/y", false, KindRead, r.Now()-500, 16)
	f.End(op, 16)
	s := r.Snapshot()
	got := map[string]Counters{}
	for _, d := range s.Files[0].Datasets {
		got[d.Name] = d.Counters
	}
	if c := got["/x"]; c.Writes != 1 || c.DirectWrites != 1 || c.BytesWritten != 8 || c.Reads != 2 || c.BytesRead != 8 || c.WriteNs < 1000 || c.FilterNs < 1000 {
		t.Errorf("/x: %+v", c)
	}
	if c := got["/y"]; c.Reads != 1 || c.BytesRead != 16 || c.ReadNs < 500 {
		t.Errorf("/y: %+v, want one read of 16 bytes", c)
	}
}
