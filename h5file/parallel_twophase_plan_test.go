package h5file

import (
	"reflect"
	"testing"

	"github.com/gorun-hpc/gorun/h5core"
)

// TestPlanTwoPhase is the decider as a table: when a collective write
// goes in two phases, and the domains and rounds it plans.
func TestPlanTwoPhase(t *testing.T) {
	cfg := twoPhaseConfig{maxRun: 16 << 10, buffer: 32 << 20}
	// short: a rank's 100 runs of 64 bytes over [first, first+12800).
	short := func(first uint64) selSummary {
		return selSummary{Runs: 100, Bytes: 6400, First: first, Limit: first + 12800}
	}
	cases := []struct {
		name string
		all  []selSummary
		cfg  twoPhaseConfig
		want *twoPhase // nil: every rank writes its own runs
	}{
		{"one rank", []selSummary{short(0)}, cfg, nil},
		{"a chunk without storage", []selSummary{short(0), {Runs: 100, Bytes: 6400, First: 0, Limit: 12800, Unallocated: true}}, cfg, nil},
		{"one run a rank", []selSummary{{Runs: 1, Bytes: 6400, First: 0, Limit: 6400}, {Runs: 1, Bytes: 6400, First: 6400, Limit: 12800}}, cfg, nil},
		{"long runs", []selSummary{{Runs: 4, Bytes: 4 << 20, First: 0, Limit: 4 << 20}, {Runs: 4, Bytes: 4 << 20, First: 4 << 20, Limit: 8 << 20}}, cfg, nil},
		{"runs just below the threshold", []selSummary{{Runs: 4, Bytes: 4*16<<10 - 4, First: 0, Limit: 4 * 16 << 10}, {Runs: 4, Bytes: 4*16<<10 - 4, First: 4 * 16 << 10, Limit: 8 * 16 << 10}}, cfg,
			&twoPhase{lo: 0, dom: 64 << 10, win: 64 << 10, rounds: 1, n: 2}},
		{"sparse: span over 8x the bytes", []selSummary{{Runs: 10, Bytes: 100, First: 0, Limit: 500}, {Runs: 10, Bytes: 100, First: 1000, Limit: 1700}}, cfg, nil},
		{"interleaved rows of two ranks", []selSummary{short(0), short(32)}, cfg,
			&twoPhase{lo: 0, dom: 8192, win: 8192, rounds: 1, n: 2}},
		{"unaligned start: domains start on 4096", []selSummary{short(5000), short(5032)}, cfg,
			&twoPhase{lo: 4096, dom: 8192, win: 8192, rounds: 1, n: 2}},
		{"a rank with nothing counts as an aggregator", []selSummary{short(0), {}, short(32)}, cfg,
			&twoPhase{lo: 0, dom: 8192, win: 8192, rounds: 1, n: 3}},
		{"small buffer: rounds", []selSummary{short(0), short(32)}, twoPhaseConfig{maxRun: 16 << 10, buffer: 4096},
			&twoPhase{lo: 0, dom: 8192, win: 4096, rounds: 2, n: 2}},
		{"buffer below a block: one block", []selSummary{short(0), short(32)}, twoPhaseConfig{maxRun: 16 << 10, buffer: 100},
			&twoPhase{lo: 0, dom: 8192, win: 4096, rounds: 2, n: 2}},
		{"threshold lowered below the runs", []selSummary{short(0), short(32)}, twoPhaseConfig{maxRun: 64, buffer: 32 << 20}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for me := range tc.all {
				got := planTwoPhase(tc.all, me, tc.cfg)
				var want *twoPhase
				if tc.want != nil {
					w := *tc.want
					w.me = me
					want = &w
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("rank %d: plan %+v, want %+v", me, got, want)
				}
			}
		})
	}
}

// TestTwoPhaseWindows checks where bytes go: the window of each
// aggregator and round, the place of a byte, and runs split at window
// boundaries with their memory offsets kept.
func TestTwoPhaseWindows(t *testing.T) {
	tp := &twoPhase{lo: 4096, dom: 8192, win: 4096, rounds: 2, n: 2, me: 1}
	windows := []struct {
		a, k   int
		lo, hi uint64
	}{
		{0, 0, 4096, 8192}, {0, 1, 8192, 12288}, {1, 0, 12288, 16384}, {1, 1, 16384, 20480},
	}
	for _, w := range windows {
		if lo, hi := tp.window(w.a, w.k); lo != w.lo || hi != w.hi {
			t.Errorf("window(%d, %d) = [%d, %d), want [%d, %d)", w.a, w.k, lo, hi, w.lo, w.hi)
		}
	}
	if lo, end := tp.window0(), tp.domainEnd(); lo != 12288 || end != 20480 {
		t.Errorf("rank 1's domain [%d, %d), want [12288, 20480)", lo, end)
	}
	// A window is cut short by the end of its domain.
	odd := &twoPhase{lo: 0, dom: 12288, win: 8192, rounds: 2, n: 2}
	if lo, hi := odd.window(0, 1); lo != 8192 || hi != 12288 {
		t.Errorf("last window of a domain [%d, %d), want [8192, 12288)", lo, hi)
	}
	places := []struct {
		x    uint64
		a, k int
		end  uint64
	}{
		{4096, 0, 0, 8192}, {8191, 0, 0, 8192}, {8192, 0, 1, 12288}, {12288, 1, 0, 16384}, {20479, 1, 1, 20480},
	}
	for _, p := range places {
		if a, k, end := tp.place(p.x); a != p.a || k != p.k || end != p.end {
			t.Errorf("place(%d) = %d, %d, %d; want %d, %d, %d", p.x, a, k, end, p.a, p.k, p.end)
		}
	}
	type piece struct {
		a, k int
		r    h5core.Run
	}
	var got []piece
	tp.split([]h5core.Run{{Off: 8000, MemOff: 0, Len: 10000}, {Off: 19000, MemOff: 10000, Len: 100}}, func(a, k int, r h5core.Run) {
		got = append(got, piece{a, k, r})
	})
	want := []piece{
		{0, 0, h5core.Run{Off: 8000, MemOff: 0, Len: 192}},
		{0, 1, h5core.Run{Off: 8192, MemOff: 192, Len: 4096}},
		{1, 0, h5core.Run{Off: 12288, MemOff: 4288, Len: 4096}},
		{1, 1, h5core.Run{Off: 16384, MemOff: 8384, Len: 1616}},
		{1, 1, h5core.Run{Off: 19000, MemOff: 10000, Len: 100}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("split:\n got %v\nwant %v", got, want)
	}
}

func TestCoalesce(t *testing.T) {
	run := func(off, n uint64) h5core.Run { return h5core.Run{Off: off, Len: n} }
	cases := []struct {
		name string
		in   []h5core.Run
		want []h5core.Run
	}{
		{"none", nil, nil},
		{"one", []h5core.Run{run(5, 3)}, []h5core.Run{run(5, 3)}},
		{"touching, unsorted", []h5core.Run{run(10, 5), run(0, 10)}, []h5core.Run{run(0, 15)}},
		{"overlapping", []h5core.Run{run(0, 10), run(5, 3), run(8, 10)}, []h5core.Run{run(0, 18)}},
		{"contained", []h5core.Run{run(0, 100), run(10, 5)}, []h5core.Run{run(0, 100)}},
		{"a gap stays", []h5core.Run{run(20, 5), run(0, 10)}, []h5core.Run{run(0, 10), run(20, 5)}},
	}
	for _, tc := range cases {
		if got := coalesce(append([]h5core.Run(nil), tc.in...)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: coalesce(%v) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestPiecesBytes(t *testing.T) {
	per := [][]h5core.Run{{{Len: 3}, {Len: 4}}, nil, {{Len: 10}}}
	for _, c := range []struct {
		skip int
		want uint64
	}{{-1, 17}, {0, 10}, {1, 17}, {2, 7}} {
		if got := piecesBytes(per, c.skip); got != c.want {
			t.Errorf("piecesBytes(skip %d) = %d, want %d", c.skip, got, c.want)
		}
	}
}
