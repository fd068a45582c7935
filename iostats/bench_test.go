package iostats

import "testing"

// BenchmarkDataCall is what a rank pays per data call with statistics on:
// h5file's Begin, one timed span (the pwrite) and End.
func BenchmarkDataCall(b *testing.B) {
	r := New(0, 1)
	f := r.File("f.h5")
	b.ReportAllocs()
	for b.Loop() {
		op := f.Begin("/x", true)
		t := r.Now()
		f.Span(KindWrite, t, 4, false)
		f.End(op, 4)
	}
}

// BenchmarkCollectiveCall is what a collective call pays with statistics
// on: the communicator's record, the clock at its start and around one
// receive, and Call at its end.
func BenchmarkCollectiveCall(b *testing.B) {
	r := New(0, 4)
	b.ReportAllocs()
	for b.Loop() {
		c := r.Comm(42, 4)
		t0 := r.Now()
		w := r.Now()
		wait := r.Now() - w
		c.Call("Allgather", t0, 64, wait)
	}
}
