package iostats

import (
	"fmt"
	"slices"
	"sort"
)

// Report is a job's statistics, merged from its ranks' snapshots: the
// JSON that tools read, and what the text and the picture show.
type Report struct {
	Ranks      int          `json:"ranks"`
	Missing    []int        `json:"missing,omitempty"` // ranks that sent no statistics (failed, or never closed)
	StartUnix  int64        `json:"start_unix_ns"`
	DurationNs int64        `json:"duration_ns"`
	Files      []FileReport `json:"files"`
	Comms      []CommReport `json:"comms"`
	Timeline   Timeline     `json:"timeline"`
}

// FileReport is one file: totals over the ranks, each rank's figures
// (index = rank) and each dataset's.
type FileReport struct {
	Path     string          `json:"path"`
	Total    Counters        `json:"total"`
	Ranks    []Counters      `json:"ranks"`
	Datasets []DatasetReport `json:"datasets"`
	Slowest  *Slowest        `json:"slowest,omitempty"`
}

// DatasetReport is one dataset: totals and each rank's (index = rank).
type DatasetReport struct {
	Name  string     `json:"name"`
	Total Counters   `json:"total"`
	Ranks []Counters `json:"ranks"`
}

// Slowest is the rank that spent the most time on a file's work itself
// (Counters.BusyNs), against the median rank, and why.
type Slowest struct {
	Rank         int    `json:"rank"`
	BusyNs       int64  `json:"busy_ns"`
	MedianBusyNs int64  `json:"median_busy_ns"`
	Why          string `json:"why"`
}

// CommReport is one communicator's collectives: per operation summed
// over its members, and each member's totals. The communicators a file
// was given, one per open, make one report under the file's label (ID is
// then the first one's).
type CommReport struct {
	ID    string     `json:"id"`
	Label string     `json:"label"`
	Size  int        `json:"size"`
	Total OpCounters `json:"total"`
	Ops   []OpSnap   `json:"ops"`
	Ranks []RankOps  `json:"ranks"` // by world rank, of the members that reported
	// MostWaiting is the member that waited longest for its peers.
	MostWaiting int `json:"most_waiting"`
}

// RankOps is one member's totals on a communicator.
type RankOps struct {
	Rank int `json:"rank"`
	OpCounters
}

// Timeline is every rank's time on one grid: bin i is
// [StartUnix + i*BinNs, StartUnix + (i+1)*BinNs).
type Timeline struct {
	BinNs int64      `json:"bin_ns"`
	Bins  int        `json:"bins"`
	Ranks []RankLine `json:"ranks"` // index = rank; empty series for missing ranks
}

// RankLine is one rank's time per bin on the job's grid, by kind.
type RankLine struct {
	Rank int `json:"rank"`
	Heat
}

// Merge makes the report of a job of size ranks from its ranks'
// snapshots (in any order; a rank missing is listed as such, a rank given
// twice counts once).
func Merge(size int, snaps []Snapshot) (*Report, error) {
	if size < 1 {
		return nil, fmt.Errorf("iostats: merging a job of %d ranks: %w", size, ErrFormat)
	}
	byRank := make([]*Snapshot, size)
	for i := range snaps {
		s := &snaps[i]
		if s.Rank < 0 || s.Rank >= size {
			return nil, fmt.Errorf("iostats: a snapshot of rank %d in a job of %d ranks: %w", s.Rank, size, ErrFormat)
		}
		byRank[s.Rank] = s
	}
	rep := &Report{Ranks: size}
	var t0, t1 int64
	first := true
	for r, s := range byRank {
		if s == nil {
			rep.Missing = append(rep.Missing, r)
			continue
		}
		if first || s.StartUnix < t0 {
			t0 = s.StartUnix
		}
		t1 = max(t1, s.StartUnix+s.EndNs)
		first = false
	}
	if first {
		return rep, nil
	}
	rep.StartUnix, rep.DurationNs = t0, max(t1-t0, 0)
	rep.mergeFiles(byRank)
	rep.mergeComms(byRank)
	rep.Timeline = timeline(byRank, t0, rep.DurationNs)
	return rep, nil
}

func (rep *Report) mergeFiles(byRank []*Snapshot) {
	n := len(byRank)
	files := map[string]*FileReport{}
	var order []string
	dsets := map[string]map[string]*DatasetReport{}
	for r, s := range byRank {
		if s == nil {
			continue
		}
		for _, fs := range s.Files {
			fr := files[fs.Path]
			if fr == nil {
				fr = &FileReport{Path: fs.Path, Ranks: make([]Counters, n)}
				files[fs.Path] = fr
				dsets[fs.Path] = map[string]*DatasetReport{}
				order = append(order, fs.Path)
			}
			fr.Ranks[r].Add(fs.File)
			for _, ds := range fs.Datasets {
				dr := dsets[fs.Path][ds.Name]
				if dr == nil {
					dr = &DatasetReport{Name: ds.Name, Ranks: make([]Counters, n)}
					dsets[fs.Path][ds.Name] = dr
				}
				dr.Ranks[r].Add(ds.Counters)
				fr.Ranks[r].Add(ds.Counters)
			}
		}
	}
	for _, p := range order {
		fr := files[p]
		for _, c := range fr.Ranks {
			fr.Total.Add(c)
		}
		for _, dr := range dsets[p] {
			for _, c := range dr.Ranks {
				dr.Total.Add(c)
			}
			fr.Datasets = append(fr.Datasets, *dr)
		}
		sort.Slice(fr.Datasets, func(i, j int) bool { return fr.Datasets[i].Name < fr.Datasets[j].Name })
		fr.Slowest = slowest(fr.Ranks, byRank)
		rep.Files = append(rep.Files, *fr)
	}
}

// slowest finds the rank with the most busy time and says which part of
// its work made the difference against the median rank.
func slowest(ranks []Counters, byRank []*Snapshot) *Slowest {
	var present []int
	for r := range ranks {
		if byRank[r] != nil {
			present = append(present, r)
		}
	}
	if len(present) == 0 {
		return nil
	}
	med := func(f func(Counters) int64) int64 {
		v := make([]int64, 0, len(present))
		for _, r := range present {
			v = append(v, f(ranks[r]))
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	busy := func(c Counters) int64 { return c.BusyNs() }
	worst := present[0]
	for _, r := range present {
		if busy(ranks[r]) > busy(ranks[worst]) {
			worst = r
		}
	}
	c := ranks[worst]
	if busy(c) <= 0 {
		return nil
	}
	s := &Slowest{Rank: worst, BusyNs: busy(c), MedianBusyNs: med(busy)}
	parts := []struct {
		name string
		f    func(Counters) int64
	}{
		{"writing", func(c Counters) int64 { return c.WriteNs }},
		{"reading", func(c Counters) int64 { return c.ReadNs }},
		{"filters (compression)", func(c Counters) int64 { return c.FilterNs }},
		{"metadata", func(c Counters) int64 { return c.MetaNs - c.MetaWaitNs }},
	}
	best, bestDiff := 0, int64(-1<<62)
	for i, p := range parts {
		if d := p.f(c) - med(p.f); d > bestDiff {
			best, bestDiff = i, d
		}
	}
	p := parts[best]
	if len(present) == 1 {
		s.Why = fmt.Sprintf("the only rank; most of its time went to %s (%s)", p.name, Duration(p.f(c)))
		return s
	}
	s.Why = fmt.Sprintf("%s: %s against a median of %s", p.name, Duration(p.f(c)), Duration(med(p.f)))
	switch best {
	case 0:
		bw := func(c Counters) int64 { return c.BytesWritten }
		aw := func(c Counters) int64 { return c.AggBytesWritten }
		s.Why += fmt.Sprintf("; its calls wrote %s of data, the median rank's %s", Bytes(bw(c)), Bytes(med(bw)))
		if c.AggBytesWritten > 0 {
			s.Why += fmt.Sprintf("; as a two-phase aggregator it wrote %s to the file, the median rank %s", Bytes(aw(c)), Bytes(med(aw)))
		}
	case 1:
		br := func(c Counters) int64 { return c.BytesRead }
		ar := func(c Counters) int64 { return c.AggBytesRead }
		s.Why += fmt.Sprintf("; its calls read %s of data, the median rank's %s", Bytes(br(c)), Bytes(med(br)))
		if c.AggBytesRead > 0 {
			s.Why += fmt.Sprintf("; as a two-phase aggregator it read %s from the file, the median rank %s", Bytes(ar(c)), Bytes(med(ar)))
		}
	case 3:
		if worst == 0 {
			s.Why += "; rank 0 alone writes the file's metadata"
		}
	}
	return s
}

func (rep *Report) mergeComms(byRank []*Snapshot) {
	comms := map[string]*CommReport{}
	ops := map[string]map[string]*OpCounters{}
	var order []string
	for r, s := range byRank {
		if s == nil {
			continue
		}
		mineOf := map[string]*RankOps{}
		for _, cs := range s.Comms {
			// A file opened again gets a new communicator of its own
			// each time: one line per file, however often it was opened.
			key := cs.ID
			if cs.Label != "" {
				key = "label " + cs.Label
			}
			cr := comms[key]
			if cr == nil {
				cr = &CommReport{ID: cs.ID, Label: cs.Label, Size: cs.Size, MostWaiting: -1}
				comms[key] = cr
				ops[key] = map[string]*OpCounters{}
				order = append(order, key)
			}
			mine := mineOf[key]
			if mine == nil {
				cr.Ranks = append(cr.Ranks, RankOps{Rank: r})
				mine = &cr.Ranks[len(cr.Ranks)-1]
				mineOf[key] = mine
			}
			for _, o := range cs.Ops {
				oc := ops[key][o.Op]
				if oc == nil {
					oc = &OpCounters{}
					ops[key][o.Op] = oc
				}
				oc.add(o.OpCounters)
				mine.add(o.OpCounters)
				cr.Total.add(o.OpCounters)
			}
		}
	}
	for _, key := range order {
		cr := comms[key]
		if cr.Total.Calls == 0 {
			continue
		}
		if cr.Label == "" {
			cr.Label = "communicator " + cr.ID
		}
		for _, name := range slicesSorted(ops[key]) {
			cr.Ops = append(cr.Ops, OpSnap{Op: name, OpCounters: *ops[key][name]})
		}
		var most int64 = -1
		for _, ro := range cr.Ranks {
			if ro.WaitNs > most {
				most, cr.MostWaiting = ro.WaitNs, ro.Rank
			}
		}
		rep.Comms = append(rep.Comms, *cr)
	}
}

// timelineBins is the most bins of the job's timeline.
const timelineBins = 256

// timeline puts every rank's bins on one grid from t0 (wall ns) over
// dur, splitting each rank bin over the grid bins it overlaps.
func timeline(byRank []*Snapshot, t0, dur int64) Timeline {
	var finest int64
	for _, s := range byRank {
		if s != nil {
			finest = max(finest, s.Heat.BinNs)
		}
	}
	bin := max(finest, (dur+timelineBins-1)/timelineBins, 1)
	nb := int(min((dur+bin-1)/bin, timelineBins))
	nb = max(nb, 1)
	tl := Timeline{BinNs: bin, Bins: nb, Ranks: make([]RankLine, len(byRank))}
	for r, s := range byRank {
		tl.Ranks[r].Rank = r
		tl.Ranks[r].BinNs = bin
		if s == nil {
			continue
		}
		off := s.StartUnix - t0
		src, dst := s.Heat.kinds(), tl.Ranks[r].kinds()
		srcB := [2]*[]int64{&s.Heat.WriteBytes, &s.Heat.ReadBytes}
		dstB := [2]*[]int64{&tl.Ranks[r].WriteBytes, &tl.Ranks[r].ReadBytes}
		for k := range src {
			*dst[k] = rebin(*src[k], s.Heat.BinNs, off, bin, nb)
		}
		for i := range srcB {
			*dstB[i] = rebin(*srcB[i], s.Heat.BinNs, off, bin, nb)
		}
	}
	return tl
}

func rebin(v []int64, w, off, bin int64, nb int) []int64 {
	if len(v) == 0 {
		return nil
	}
	out := make([]int64, nb)
	for i, x := range v {
		if x == 0 {
			continue
		}
		lo, hi := off+int64(i)*w, off+int64(i+1)*w
		for b := max(lo/bin, 0); b < int64(nb) && b*bin < hi; b++ {
			olo, ohi := max(lo, b*bin), min(hi, (b+1)*bin)
			if ohi > olo {
				out[b] += x * (ohi - olo) / w
			}
		}
	}
	return out
}
