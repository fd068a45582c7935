package iostats_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorun-hpc/gorun/iostats"
)

// twoRanks is the report of a job of two ranks that each wrote 2 KiB of
// /grid in out.h5 in two phases (4 KiB each as aggregators, in 2 rounds)
// and read 8 bytes of /x directly, and made one Allreduce.
func twoRanks() *iostats.Report {
	var snaps []iostats.Snapshot
	for rank := range 2 {
		r := iostats.New(rank, 2)
		f := r.File("out.h5")
		op := f.Begin(new(iostats.Dataset), "/grid", true)
		f.TwoPhase(2)
		f.Span(iostats.KindWrite, r.Now(), 4096, true)
		f.End(op, 2048)
		f.Direct(new(iostats.Dataset), "/x", false, iostats.KindRead, r.Now(), 8)
		r.LabelComm(1, 2, "world")
		r.Comm(1, 2).Call("Allreduce", r.Now(), 16, 0)
		snaps = append(snaps, r.Snapshot())
	}
	rep, err := iostats.Merge(2, snaps)
	if err != nil {
		panic(err)
	}
	return rep
}

// New makes a rank's recorder (comm does it when gorun --iostats is on,
// and h5file and collectives record into it); Rank says whose it is.
func ExampleNew() {
	r := iostats.New(3, 8)
	s := r.Snapshot()
	fmt.Println(r.Rank(), s.Rank, s.Size, len(s.Files))
	// Output: 3 3 8 0
}

// Rank is the rank the recorder belongs to.
func ExampleRecorder_Rank() {
	for rank := range 3 {
		fmt.Print(iostats.New(rank, 3).Rank(), " ")
	}
	fmt.Println()
	// Output: 0 1 2
}

// Now is the recorder's clock, nanoseconds since New: the start of every
// span a layer records.
func ExampleRecorder_Now() {
	r := iostats.New(0, 1)
	a := r.Now()
	b := r.Now()
	fmt.Println(a >= 0, b >= a)
	// Output: true true
}

// File is a file's record, by path: every rank names a shared file by the
// same path, and the records merge by it.
func ExampleRecorder_File() {
	r := iostats.New(0, 1)
	f := r.File("run.h5")
	f.Direct(new(iostats.Dataset), "/T", true, iostats.KindWrite, r.Now(), 800)
	same := r.File("run.h5") == f
	snap := r.Snapshot()
	fmt.Println(same, snap.Files[0].Path, snap.Files[0].Datasets[0].Name, snap.Files[0].Datasets[0].BytesWritten)
	// Output: true run.h5 /T 800
}

// Comm is a communicator's record, by its id (the same on every member);
// LabelComm names it in the report.
func ExampleRecorder_Comm() {
	r := iostats.New(0, 4)
	r.LabelComm(42, 4, "world")
	c := r.Comm(42, 4)
	c.Call("Bcast", r.Now(), 64, 0)
	c.Call("Bcast", r.Now(), 64, 0)
	s := r.Snapshot()
	fmt.Println(s.Comms[0].Label, s.Comms[0].Size, s.Comms[0].Ops[0].Op, s.Comms[0].Ops[0].Calls, s.Comms[0].Ops[0].Bytes)
	// Output: world 4 Bcast 2 128
}

// LabelComm names a communicator in the report; unlabelled ones are
// named by their id.
func ExampleRecorder_LabelComm() {
	r := iostats.New(0, 2)
	r.LabelComm(7, 2, "rows")
	r.Comm(7, 2).Call("Allgather", r.Now(), 8, 0)
	r.Comm(9, 2).Call("Barrier", r.Now(), 0, 0)
	rep, _ := iostats.Merge(1, []iostats.Snapshot{r.Snapshot()})
	for _, c := range rep.Comms {
		fmt.Printf("%q %s\n", c.Label, c.Ops[0].Op)
	}
	// Output:
	// "rows" Allgather
	// "communicator 0000000000000009" Barrier
}

// Snapshot is a rank's statistics so far: what it sends to be merged.
func ExampleRecorder_Snapshot() {
	r := iostats.New(1, 2)
	f := r.File("a.h5")
	f.Direct(new(iostats.Dataset), "/v", true, iostats.KindWrite, r.Now(), 100)
	f.Direct(new(iostats.Dataset), "/v", true, iostats.KindWrite, r.Now(), 100)
	s := r.Snapshot()
	d := s.Files[0].Datasets[0]
	fmt.Println(s.Rank, d.Name, d.Writes, d.DirectWrites, d.BytesWritten, s.EndNs >= 0)
	// Output: 1 /v 2 2 200 true
}

// Encode is a snapshot's wire form, JSON, which DecodeSnapshot checks.
func ExampleSnapshot_Encode() {
	r := iostats.New(0, 1)
	r.File("x.h5").Direct(new(iostats.Dataset), "/d", false, iostats.KindRead, r.Now(), 4)
	s := r.Snapshot()
	wire, err := s.Encode()
	if err != nil {
		panic(err)
	}
	var fields map[string]json.RawMessage
	json.Unmarshal(wire, &fields)
	back, err := iostats.DecodeSnapshot(wire)
	fmt.Println(string(fields["rank"]), back.Files[0].Datasets[0].BytesRead, err)
	// Output: 0 4 <nil>
}

// Begin and End bracket a data call on a dataset; Span records where its
// time went and the bytes it moved in the file, TwoPhase that it went in
// two phases (the aggregators' writes are agg spans).
func ExampleFile_Begin() {
	r := iostats.New(0, 1)
	f := r.File("out.h5")
	var d iostats.Dataset // kept with the dataset object
	op := f.Begin(&d, "/tiles", true)
	f.TwoPhase(3)
	f.Span(iostats.KindWrite, r.Now(), 3<<20, true) // as an aggregator, 3 MiB to the file
	f.End(op, 1<<20)                                // this rank's own data: 1 MiB
	c := r.Snapshot().Files[0].Datasets[0].Counters
	fmt.Println(c.Writes, c.TwoPhaseWrites, c.WriteRounds, c.BytesWritten, c.AggBytesWritten)
	// Output: 1 1 3 1048576 3145728
}

// End ends a data call with the bytes the call moved for the rank (0 when
// it failed).
func ExampleFile_End() {
	r := iostats.New(0, 1)
	f := r.File("out.h5")
	var d iostats.Dataset
	for _, n := range []int64{100, 0} { // a write, then a failed read
		op := f.Begin(&d, "/x", n > 0)
		f.End(op, n)
	}
	c := r.Snapshot().Files[0].Datasets[0].Counters
	fmt.Println(c.Writes, c.BytesWritten, c.Reads, c.BytesRead)
	// Output: 1 100 1 0
}

// Span outside a data call counts for the file itself: here time spent
// filtering (compressing) a chunk.
func ExampleFile_Span() {
	r := iostats.New(0, 1)
	f := r.File("out.h5")
	op := f.Begin(new(iostats.Dataset), "/z", true)
	f.Span(iostats.KindFilter, r.Now(), 0, false)
	f.Span(iostats.KindWrite, r.Now(), 512, false)
	f.End(op, 4096)
	c := r.Snapshot().Files[0].Datasets[0].Counters
	fmt.Println(c.BytesWritten, c.FilterNs >= 0, c.Writes)
	// Output: 4096 true 1
}

// TwoPhase marks the current call as a two-phase one, with its rounds.
func ExampleFile_TwoPhase() {
	r := iostats.New(0, 1)
	f := r.File("out.h5")
	op := f.Begin(new(iostats.Dataset), "/cube", false)
	f.TwoPhase(4)
	f.End(op, 8192)
	c := r.Snapshot().Files[0].Datasets[0].Counters
	fmt.Println(c.Reads, c.TwoPhaseReads, c.DirectReads, c.ReadRounds)
	// Output: 1 1 0 4
}

// Direct records the common call in one step: a rank's own independent
// write or read.
func ExampleFile_Direct() {
	r := iostats.New(0, 1)
	f := r.File("out.h5")
	var d iostats.Dataset
	for range 3 {
		f.Direct(&d, "/particles", true, iostats.KindWrite, r.Now(), 1000)
	}
	c := r.Snapshot().Files[0].Datasets[0].Counters
	fmt.Println(c.Writes, c.DirectWrites, c.BytesWritten)
	// Output: 3 3 3000
}

// Dataset is a dataset object's place in its file's record: the layer
// keeps one per object and passes it with the dataset's name. Objects of
// one name (the dataset opened twice) count into one record.
func ExampleDataset() {
	r := iostats.New(0, 1)
	f := r.File("out.h5")
	var a, b, a2 iostats.Dataset
	f.Direct(&a, "/a", true, iostats.KindWrite, r.Now(), 1)
	f.Direct(&b, "/b", true, iostats.KindWrite, r.Now(), 2)
	f.Direct(&a2, "/a", true, iostats.KindWrite, r.Now(), 4)
	for _, d := range r.Snapshot().Files[0].Datasets {
		fmt.Println(d.Name, d.BytesWritten)
	}
	// Output:
	// /a 5
	// /b 2
}

// MetaBegin and MetaEnd bracket a metadata step: a check point or a
// flush, counted for the file.
func ExampleFile_MetaBegin() {
	r := iostats.New(0, 1)
	f := r.File("out.h5")
	for range 2 {
		start := f.MetaBegin()
		f.MetaEnd(start)
	}
	c := r.Snapshot().Files[0].File
	fmt.Println(c.MetaCalls, c.MetaNs >= 0)
	// Output: 2 true
}

// MetaEnd ends the step MetaBegin started; waiting in the file's own
// collectives in between is the metadata's.
func ExampleFile_MetaEnd() {
	r := iostats.New(0, 2)
	f := r.File("out.h5")
	f.UseComm(5, 2)
	start := f.MetaBegin()
	r.Comm(5, 2).Call("Allreduce", r.Now(), 8, 1000) // waited 1 µs for the peer
	f.MetaEnd(start)
	c := r.Snapshot().Files[0].File
	fmt.Println(c.MetaCalls, c.MetaWaitNs)
	// Output: 1 1000
}

// UseComm makes a communicator the file's own: waiting in its collectives
// during a data call is that call's.
func ExampleFile_UseComm() {
	r := iostats.New(0, 2)
	f := r.File("out.h5")
	f.UseComm(11, 2)
	op := f.Begin(new(iostats.Dataset), "/d", true)
	r.Comm(11, 2).Call("Alltoallv", r.Now(), 4096, 2500)
	f.End(op, 4096)
	c := r.Snapshot().Files[0].Datasets[0].Counters
	fmt.Println(c.WaitNs)
	// Output: 2500
}

// Now is the recorder's clock, for the start of a span.
func ExampleFile_Now() {
	r := iostats.New(0, 1)
	f := r.File("out.h5")
	start := f.Now()
	f.Direct(new(iostats.Dataset), "/x", true, iostats.KindWrite, start, 16)
	fmt.Println(start >= 0, f.Now() >= start)
	// Output: true true
}

// CallOp is Call for collectives, which number their operations: the
// name is read only the first time a code is seen.
func ExampleComm_CallOp() {
	r := iostats.New(0, 2)
	c := r.Comm(3, 2)
	const allreduce = 5
	for range 3 {
		c.CallOp(allreduce, "Allreduce", r.Now(), 8, 0)
	}
	op := r.Snapshot().Comms[0].Ops[0]
	fmt.Println(op.Op, op.Calls, op.Bytes)
	// Output: Allreduce 3 24
}

// Add sums counters (a file's datasets, a rank's files); BusyNs is the
// time spent on the file's work itself, less waiting for others.
func ExampleCounters_Add() {
	var total iostats.Counters
	total.Add(iostats.Counters{BytesWritten: 100, Writes: 1, WriteNs: 50})
	total.Add(iostats.Counters{BytesWritten: 300, Writes: 2, WriteNs: 70, WaitNs: 20})
	fmt.Println(total.BytesWritten, total.Writes, total.WriteNs, total.WaitNs)
	// Output: 400 3 120 20
}

// BusyNs is I/O, filter and metadata time, less the waiting inside the
// metadata check points: what a slow rank spent on the file itself.
func ExampleCounters_BusyNs() {
	c := iostats.Counters{WriteNs: 500, ReadNs: 100, FilterNs: 300, MetaNs: 200, MetaWaitNs: 150, WaitNs: 1000}
	fmt.Println(c.BusyNs())
	// Output: 950
}

// Kind names what a rank's time went to.
func ExampleKind_String() {
	for _, k := range []iostats.Kind{iostats.KindWrite, iostats.KindRead, iostats.KindFilter, iostats.KindMeta, iostats.KindWait} {
		fmt.Print(k, " ")
	}
	fmt.Println()
	// Output: write read filter meta wait
}

// Duration formats nanoseconds for people, to three significant digits.
func ExampleDuration() {
	for _, ns := range []int64{0, 999, 1500, 2_340_000, 61_000_000_000} {
		fmt.Println(iostats.Duration(ns))
	}
	// Output:
	// 0
	// 999 ns
	// 1.5 µs
	// 2.34 ms
	// 61 s
}

// SVGPath is where WriteOutputs puts the timeline beside the JSON.
func ExampleSVGPath() {
	fmt.Println(iostats.SVGPath("run/iostats.json"), iostats.SVGPath("stats"))
	// Output: run/iostats.svg stats.svg
}

// WriteText is the report gorun prints on stderr: per file, the bytes
// and calls, then times per rank, per dataset and per communicator.
func ExampleReport_WriteText() {
	var b bytes.Buffer
	if err := twoRanks().WriteText(&b); err != nil {
		panic(err)
	}
	lines := strings.Split(b.String(), "\n")
	fmt.Println(lines[1])
	fmt.Println(lines[2])
	// Output:
	// out.h5: 4096 bytes written, 16 bytes read by 2 ranks (4.0 KiB written, 16 B read)
	//   writes 2 (direct 0, two-phase 2 in 4 rounds), reads 2 (direct 2, two-phase 0 in 0 rounds)
}

// WriteJSON is the report for tools: the Report type, indented.
func ExampleReport_WriteJSON() {
	var b bytes.Buffer
	if err := twoRanks().WriteJSON(&b); err != nil {
		panic(err)
	}
	var rep iostats.Report
	if err := json.Unmarshal(b.Bytes(), &rep); err != nil {
		panic(err)
	}
	f := rep.Files[0]
	fmt.Println(rep.Ranks, f.Path, f.Total.BytesWritten, f.Datasets[1].Name, f.Datasets[1].Total.BytesRead, rep.Comms[0].Label)
	// Output: 2 out.h5 4096 /x 16 world
}

// WriteOutputs writes what GORUN_IOSTATS asks for where no launcher does:
// "1" the text only, a path the JSON there and the SVG beside it too.
func ExampleReport_WriteOutputs() {
	dir, err := os.MkdirTemp("", "iostats-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	rep := twoRanks()
	var text bytes.Buffer
	spec := filepath.Join(dir, "stats.json")
	if err := rep.WriteOutputs(spec, &text); err != nil {
		panic(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	fmt.Println(text.Len() > 0)
	// Output:
	// stats.json
	// stats.svg
	// true
}

// Closed tells the record that the file was closed (h5file's Close does):
// its datasets' counts are folded into their names' records then, so a
// file opened and closed many times keeps one record per dataset name.
func ExampleFile_Closed() {
	r := iostats.New(0, 1)
	for range 3 { // the file opened, written and closed three times
		f := r.File("step.h5")
		var d iostats.Dataset
		f.Direct(&d, "/T", true, iostats.KindWrite, r.Now(), 64)
		f.Closed()
	}
	ds := r.Snapshot().Files[0].Datasets
	fmt.Println(len(ds), ds[0].Name, ds[0].Writes, ds[0].BytesWritten)
	// Output: 1 /T 3 192
}
