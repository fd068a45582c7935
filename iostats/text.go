package iostats

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
)

// perRankRows bounds the per-rank table: bigger jobs show the slowest,
// the median and the fastest rank.
const perRankRows = 32

// WriteText writes the report for people (gorun prints it on stderr).
// Every file's first line names it and gives its total data bytes.
func (rep *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "gorun iostats: %d ranks, %s\n", rep.Ranks, Duration(rep.DurationNs))
	if len(rep.Missing) > 0 {
		fmt.Fprintf(&b, "  no statistics from ranks %v (they failed or did not close their communicator)\n", rep.Missing)
	}
	if len(rep.Files) == 0 {
		b.WriteString("  no file was opened with a communicator\n")
	}
	for _, f := range rep.Files {
		writeFileText(&b, rep, f)
	}
	if len(rep.Comms) > 0 {
		b.WriteString("collectives (time waiting: blocked for a peer's message):\n")
	}
	for _, c := range rep.Comms {
		fmt.Fprintf(&b, "  %s (%d ranks): %d calls, %s, %s in calls, %s waiting", c.Label, c.Size,
			c.Total.Calls, Bytes(c.Total.Bytes), Duration(c.Total.Ns), Duration(c.Total.WaitNs))
		if c.MostWaiting >= 0 && c.Total.WaitNs > 0 {
			for _, ro := range c.Ranks {
				if ro.Rank == c.MostWaiting {
					fmt.Fprintf(&b, " (most: rank %d, %s)", ro.Rank, Duration(ro.WaitNs))
				}
			}
		}
		b.WriteString("\n")
		for _, o := range c.Ops {
			fmt.Fprintf(&b, "    %-15s %6d calls  %10s  %9s in calls  %9s waiting\n", o.Op, o.Calls, Bytes(o.Bytes), Duration(o.Ns), Duration(o.WaitNs))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFileText(b *strings.Builder, rep *Report, f FileReport) {
	t := f.Total
	fmt.Fprintf(b, "%s: %d bytes written, %d bytes read by %d ranks", f.Path, t.BytesWritten, t.BytesRead, rep.Ranks)
	if t.BytesWritten >= 1024 || t.BytesRead >= 1024 {
		fmt.Fprintf(b, " (%s written, %s read)", Bytes(t.BytesWritten), Bytes(t.BytesRead))
	}
	b.WriteString("\n")
	fmt.Fprintf(b, "  writes %d (direct %d, two-phase %d in %d rounds), reads %d (direct %d, two-phase %d in %d rounds)\n",
		t.Writes, t.DirectWrites, t.TwoPhaseWrites, t.WriteRounds, t.Reads, t.DirectReads, t.TwoPhaseReads, t.ReadRounds)
	fmt.Fprintf(b, "  time, all ranks: write %s, read %s, filters %s, metadata %s in %d check points and flushes (%s of it waiting), waiting on peers %s\n",
		Duration(t.WriteNs), Duration(t.ReadNs), Duration(t.FilterNs), Duration(t.MetaNs), t.MetaCalls, Duration(t.MetaWaitNs), Duration(t.WaitNs))
	if s := f.Slowest; s != nil {
		fmt.Fprintf(b, "  slowest rank %d: busy %s against a median of %s; most of the difference: %s\n",
			s.Rank, Duration(s.BusyNs), Duration(s.MedianBusyNs), s.Why)
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  rank\twritten\tread\twrites\treads\twrite\tread\tfilter\tmeta\twait\t")
	for _, r := range shownRanks(f.Ranks, rep.Missing) {
		c := f.Ranks[r]
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", r, Bytes(c.BytesWritten), Bytes(c.BytesRead),
			c.Writes, c.Reads, Duration(c.WriteNs), Duration(c.ReadNs), Duration(c.FilterNs), Duration(c.MetaNs), Duration(c.WaitNs+c.MetaWaitNs))
	}
	tw.Flush()
	shown := slices.Clone(f.Datasets)
	if len(shown) > datasetRows {
		sort.SliceStable(shown, func(i, j int) bool { return moved(shown[i].Total) > moved(shown[j].Total) })
		shown = shown[:datasetRows]
		fmt.Fprintf(b, "  the %d datasets that moved the most bytes of %d (the JSON report has every one):\n", datasetRows, len(f.Datasets))
	}
	for _, d := range shown {
		c := d.Total
		if c.Writes == 0 && c.Reads == 0 {
			continue
		}
		fmt.Fprintf(b, "  dataset %s: %d bytes written, %d bytes read; writes %d (direct %d, two-phase %d), reads %d (direct %d, two-phase %d); write %s, read %s, filters %s, waiting %s\n",
			d.Name, c.BytesWritten, c.BytesRead, c.Writes, c.DirectWrites, c.TwoPhaseWrites, c.Reads, c.DirectReads, c.TwoPhaseReads,
			Duration(c.WriteNs), Duration(c.ReadNs), Duration(c.FilterNs), Duration(c.WaitNs))
	}
}

// datasetRows bounds the datasets listed per file.
const datasetRows = 12

func moved(c Counters) int64 { return c.BytesWritten + c.BytesRead }

// shownRanks is every rank for a small job; for a big one the fastest,
// median and slowest by busy time.
func shownRanks(ranks []Counters, missing []int) []int {
	gone := map[int]bool{}
	for _, r := range missing {
		gone[r] = true
	}
	var all []int
	for r := range ranks {
		if !gone[r] {
			all = append(all, r)
		}
	}
	if len(all) <= perRankRows {
		return all
	}
	byBusy := append([]int(nil), all...)
	sortBy(byBusy, func(r int) int64 { return ranks[r].BusyNs() })
	return []int{byBusy[0], byBusy[len(byBusy)/2], byBusy[len(byBusy)-1]}
}

func sortBy(v []int, key func(int) int64) {
	sort.SliceStable(v, func(i, j int) bool { return key(v[i]) < key(v[j]) })
}

// WriteJSON writes the report for tools: the Report type, indented.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(rep)
}
