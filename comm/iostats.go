package comm

import (
	"fmt"
	"os"

	"github.com/gorun-hpc/gorun/iostats"
)

// I/O statistics (GORUN_IOSTATS, gorun --iostats): the world's recorder,
// which h5file and collectives find through Comm.Stats, is sent at Close
// to whoever merges the job's report: the launcher, over the control
// connection before the goodbye; under srun, rank 0, which serves the
// rendezvous and writes the report when every rank has said goodbye; a
// program run alone writes its own.

// statsState is a rank's recorder and where the report goes when this
// rank writes it (GORUN_IOSTATS's value).
type statsState struct {
	rec  *iostats.Recorder
	spec string
}

// startStats returns a function that turns statistics on for the world
// Init made when spec (GORUN_IOSTATS) asks for them.
func startStats(spec string) func(*Comm, error) (*Comm, error) {
	return func(c *Comm, err error) (*Comm, error) {
		if err != nil || spec == "" {
			return c, err
		}
		rec := iostats.New(c.rank, c.Size())
		rec.LabelComm(c.id, c.Size(), "world")
		c.w.stats = &statsState{rec: rec, spec: spec}
		return c, nil
	}
}

// RecordLocalStats turns I/O statistics on for the in-process ranks cs
// of one NewLocal job, as GORUN_IOSTATS does for a job's processes: each
// rank gets its own recorder (Comm.Stats). Nothing is reported at Close
// (no launcher merges in-process ranks); read each rank's figures with
// c.Stats().Snapshot() before closing. For tests and benchmarks of the
// layers above: what --iostats costs them, and that their counts are
// right. Call it before any I/O or collective on cs.
func RecordLocalStats(cs []*Comm) {
	for _, c := range cs {
		rec := iostats.New(c.rank, c.Size())
		rec.LabelComm(c.id, c.Size(), "world")
		c.w.stats = &statsState{rec: rec}
	}
}

// Stats is the I/O statistics recorder of c's process, nil when they are
// off (the job was not started with gorun --iostats or GORUN_IOSTATS).
// Layers that do I/O or collectives on c record into it.
func (c *Comm) Stats() *iostats.Recorder {
	if c.w.stats == nil {
		return nil
	}
	return c.w.stats.rec
}

// sendStats sends this rank's statistics to the rendezvous before its
// goodbye; a rank without one (run alone) writes its own report.
func (w *world) sendStats() {
	if w.stats.spec == "" {
		return // RecordLocalStats: nobody to report to
	}
	snap := w.stats.rec.Snapshot()
	if w.ctl == nil {
		w.report([]iostats.Snapshot{snap})
		return
	}
	b, err := snap.Encode()
	if err == nil {
		err = w.ctl.conn.Stats(b)
	}
	if err != nil {
		w.log.Warn("comm: sending the I/O statistics to the launcher failed; the report will miss this rank", "rank", w.rank, "err", err)
	}
}

// writeStats is rank 0's under srun: merge what every rank sent to the
// rendezvous it serves and write the report.
func (w *world) writeStats() {
	var snaps []iostats.Snapshot
	for r, b := range w.svc.Stats() {
		s, err := iostats.DecodeSnapshot(b)
		if err != nil {
			w.log.Warn("comm: rank's I/O statistics are unreadable", "rank", r, "err", err)
			continue
		}
		snaps = append(snaps, s)
	}
	w.report(snaps)
}

func (w *world) report(snaps []iostats.Snapshot) {
	rep, err := iostats.Merge(w.size, snaps)
	if err == nil {
		err = rep.WriteOutputs(w.stats.spec, os.Stderr)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "comm: the I/O report (GORUN_IOSTATS=%s): %v\n", w.stats.spec, err)
	}
}
