package launch

import (
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/gorun-hpc/gorun/iostats"
)

// IOStats asks every rank for its I/O statistics (gorun --iostats: each
// rank records them when GORUN_IOSTATS is in its environment and sends
// them over its rendezvous connection before its goodbye) and says where
// the job's merged report goes once every rank has ended.
type IOStats struct {
	Text io.Writer // the text report; nil = the job's Stderr
	JSON string    // the JSON report's path; "" = none
	SVG  string    // the SVG timeline's path; "" = none
}

// statsWait bounds how long the report waits for the statistics of ranks
// that have exited but whose goodbye the rendezvous has not read yet.
const statsWait = 2 * time.Second

// iostatsEnv is GORUN_IOSTATS for the ranks: on ("1") when asked for.
func (j *Job) iostatsEnv() string {
	if j.IOStats == nil {
		return ""
	}
	return "1"
}

// reportIOStats merges the statistics the ranks sent and writes the
// report (after the ranks' own output). A rank that failed or never
// closed its communicator sent none: the report lists it as missing.
func (r *Running) reportIOStats() {
	o := r.job.IOStats
	if o == nil {
		return
	}
	t := time.NewTimer(statsWait)
	select {
	case <-r.rv.svc.AllGone():
	case <-t.C:
	}
	t.Stop()
	text := o.Text
	if text == nil {
		text = r.job.Stderr
	}
	if err := writeIOStats(r.job.Size, r.rv.svc.Stats(), o, text); err != nil {
		fmt.Fprintf(r.job.Stderr, "gorun: the I/O report: %v\n", err)
	}
}

// writeIOStats decodes each rank's statistics (by rank), merges them and
// writes the report o asks for.
func writeIOStats(size int, raw map[int][]byte, o *IOStats, text io.Writer) error {
	ranks := make([]int, 0, len(raw))
	for r := range raw {
		ranks = append(ranks, r)
	}
	sort.Ints(ranks)
	var snaps []iostats.Snapshot
	for _, r := range ranks {
		s, err := iostats.DecodeSnapshot(raw[r])
		if err == nil && s.Rank != r {
			err = fmt.Errorf("it says it is rank %d: %w", s.Rank, iostats.ErrFormat)
		}
		if err != nil {
			fmt.Fprintf(text, "gorun: rank %d's I/O statistics are unreadable, left out: %v\n", r, err)
			continue
		}
		snaps = append(snaps, s)
	}
	rep, err := iostats.Merge(size, snaps)
	if err != nil {
		return err
	}
	if err := rep.WriteText(text); err != nil {
		return err
	}
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{{o.JSON, rep.WriteJSON}, {o.SVG, rep.WriteSVG}} {
		if out.path == "" {
			continue
		}
		f, err := os.Create(out.path)
		if err != nil {
			return err
		}
		err = out.write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", out.path, err)
		}
	}
	return nil
}
