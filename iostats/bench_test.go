package iostats

import (
	"fmt"
	"io"
	"testing"
)

// BenchmarkDataCall is what a rank pays per data call with statistics on:
// h5file's Begin, one timed span (the pwrite) and End.
func BenchmarkDataCall(b *testing.B) {
	r := New(0, 1)
	f := r.File("f.h5")
	var d Dataset // h5file keeps it in its Dataset
	b.ReportAllocs()
	for b.Loop() {
		op := f.Begin(&d, "/x", true)
		t := r.Now()
		f.Span(KindWrite, t, 4, false)
		f.End(op, 4)
	}
}

// BenchmarkCollectiveCall is what a collective call pays with statistics
// on: the communicator's record (from the lock-free cache), the clock at
// its start and around one receive, and CallOp at its end (counters
// found by the operation's code, as collectives passes it).
func BenchmarkCollectiveCall(b *testing.B) {
	r := New(0, 4)
	b.ReportAllocs()
	for b.Loop() {
		c := r.Comm(42, 4)
		t0 := r.Now()
		w := r.Now()
		wait := r.Now() - w
		c.CallOp(7, "Allgather", t0, 64, wait)
	}
}

// BenchmarkEndOfJob is the work at the end of a job with statistics on,
// for 4 ranks that each wrote 1000 datasets (bench/parallel's meta case):
// each rank's snapshot and its encoding, and the launcher's decoding,
// merging and writing of the text and the JSON.
func BenchmarkEndOfJob(b *testing.B) {
	var recs []*Recorder
	for rank := range 4 {
		r := New(rank, 4)
		f := r.File("meta.h5")
		for i := range 1000 {
			op := f.Begin(new(Dataset), fmt.Sprintf("/g%d/d%d", i%10, i), true)
			f.Span(KindWrite, r.Now(), 64, false)
			f.End(op, 64)
		}
		recs = append(recs, r)
	}
	b.Run("ranks", func(b *testing.B) {
		for b.Loop() {
			for _, r := range recs {
				s := r.Snapshot()
				if _, err := s.Encode(); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	var wire [][]byte
	for _, r := range recs {
		s := r.Snapshot()
		w, _ := s.Encode()
		wire = append(wire, w)
	}
	b.Run("launcher", func(b *testing.B) {
		for b.Loop() {
			var snaps []Snapshot
			for _, w := range wire {
				s, err := DecodeSnapshot(w)
				if err != nil {
					b.Fatal(err)
				}
				snaps = append(snaps, s)
			}
			rep, err := Merge(4, snaps)
			if err != nil {
				b.Fatal(err)
			}
			rep.WriteText(io.Discard)
			rep.WriteJSON(io.Discard)
		}
	})
}
