package iostats

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Snapshot is one rank's statistics at the end of its run: what a rank
// sends to be merged. Its JSON form is the wire form.
type Snapshot struct {
	Rank      int        `json:"rank"`
	Size      int        `json:"size"`
	StartUnix int64      `json:"start_unix_ns"` // the rank's clock zero, wall time
	EndNs     int64      `json:"end_ns"`        // when the snapshot was taken, on the rank's clock
	Files     []FileSnap `json:"files,omitempty"`
	Comms     []CommSnap `json:"comms,omitempty"`
	Heat      Heat       `json:"heat"`
}

// FileSnap is one file on one rank: its own (metadata) figures and its
// datasets'.
type FileSnap struct {
	Path     string        `json:"path"`
	File     Counters      `json:"file"`
	Datasets []DatasetSnap `json:"datasets,omitempty"`
}

// DatasetSnap is one dataset on one rank.
type DatasetSnap struct {
	Name string `json:"name"`
	Counters
}

// CommSnap is one communicator on one rank.
type CommSnap struct {
	ID    string   `json:"id"` // hex, the same on every member
	Label string   `json:"label,omitempty"`
	Size  int      `json:"size"`
	Ops   []OpSnap `json:"ops"`
}

// OpSnap is one collective operation on one communicator.
type OpSnap struct {
	Op string `json:"op"`
	OpCounters
}

// Snapshot returns the rank's statistics so far.
func (r *Recorder) Snapshot() Snapshot {
	end := r.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Snapshot{Rank: r.rank, Size: r.size, StartUnix: r.startUnix, EndNs: end, Heat: r.heat.snapshot()}
	for _, f := range r.order {
		s.Files = append(s.Files, FileSnap{Path: f.path, File: f.file, Datasets: f.snapshotLocked()})
	}
	for _, c := range r.corder {
		cs := CommSnap{ID: fmt.Sprintf("%016x", c.id), Label: c.label, Size: c.size}
		for _, name := range slicesSorted(c.ops) {
			cs.Ops = append(cs.Ops, OpSnap{Op: name, OpCounters: *c.ops[name]})
		}
		if len(cs.Ops) > 0 || c.file != nil {
			s.Comms = append(s.Comms, cs)
		}
	}
	return s
}

func slicesSorted(m map[string]*OpCounters) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Encode is s in its wire form.
func (s *Snapshot) Encode() ([]byte, error) { return json.Marshal(s) }

// MaxSnapshot bounds a snapshot's wire form: a rank at every bound
// (maxFiles files, maxDatasets datasets each) stays under it only if its
// names are short, so a receiver refuses more rather than hold it.
const MaxSnapshot = 64 << 20

// ErrFormat: a snapshot or report is malformed.
var ErrFormat = errors.New("iostats: malformed statistics")

// DecodeSnapshot reads a snapshot's wire form, checking what Merge relies
// on: a rank within the job, series no longer than the timeline.
func DecodeSnapshot(b []byte) (Snapshot, error) {
	var s Snapshot
	if len(b) > MaxSnapshot {
		return s, fmt.Errorf("%w: a snapshot of %d bytes is over the %d limit", ErrFormat, len(b), MaxSnapshot)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Snapshot{}, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if s.Size < 1 || s.Rank < 0 || s.Rank >= s.Size || s.EndNs < 0 || s.Heat.BinNs <= 0 {
		return Snapshot{}, fmt.Errorf("%w: rank %d of %d, end %d, bin %d ns", ErrFormat, s.Rank, s.Size, s.EndNs, s.Heat.BinNs)
	}
	h := s.Heat
	ks := h.kinds()
	for _, v := range append(ks[:], &h.WriteBytes, &h.ReadBytes) {
		if len(*v) > heatBins {
			return Snapshot{}, fmt.Errorf("%w: a timeline of %d bins (at most %d)", ErrFormat, len(*v), heatBins)
		}
	}
	for _, c := range s.Comms {
		if c.Size < 1 || strings.TrimLeft(c.ID, "0123456789abcdef") != "" {
			return Snapshot{}, fmt.Errorf("%w: communicator %q of %d ranks", ErrFormat, c.ID, c.Size)
		}
	}
	return s, nil
}
