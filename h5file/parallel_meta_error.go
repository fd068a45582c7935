package h5file

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

var (
	// ErrMismatch is returned, on every rank, when the ranks of a parallel
	// file did not make the same metadata calls in the same order (or made
	// the same call with different arguments). The file is unusable after
	// it; the file on disk is as of the last good flush. Use errors.As with
	// *MismatchError for the operation and the ranks.
	ErrMismatch = errors.New("h5file: ranks disagree on the metadata calls")
	// ErrFlush is returned, on every rank, when some rank could not flush
	// (rank 0 could not write the metadata): the file on disk is as of the
	// last good flush.
	ErrFlush = errors.New("h5file: flush failed on some rank")
)

// MismatchError says where ranks of a parallel file stopped agreeing:
// operation Op (1 is the Create or Open itself, 2 the first metadata call
// after it) and, for each distinct call made there, the ranks that made
// it.
type MismatchError struct {
	File  string
	Op    uint64
	Calls []RankCall // the largest group (the "others") last
	// SameCalls is set when every rank logged the same calls but their
	// models differ (h5core's digest): data the log does not show, such as
	// variable-length values, differed.
	SameCalls bool
}

// RankCall is one call and the ranks that made it. An empty Call means
// those ranks made no operation Op.
type RankCall struct {
	Ranks []int
	Call  string
}

// Is matches ErrMismatch.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

// Error names the operation, each call made there with the ranks that
// made it, and the rule they broke.
func (e *MismatchError) Error() string {
	var b strings.Builder
	if e.SameCalls {
		fmt.Fprintf(&b, "h5file: ranks made the same metadata calls up to #%d but their models differ: ", e.Op)
	} else {
		fmt.Fprintf(&b, "h5file: ranks disagree at metadata operation #%d: ", e.Op)
	}
	for i, g := range e.Calls {
		switch {
		case i == len(e.Calls)-1 && i > 0:
			b.WriteString(" but ")
		case i > 0:
			b.WriteString(", ")
		}
		b.WriteString(rankList(g.Ranks))
		switch {
		case e.SameCalls:
			fmt.Fprintf(&b, " have %s", g.Call)
		case g.Call == "":
			fmt.Fprintf(&b, " made no operation #%d", e.Op)
		default:
			fmt.Fprintf(&b, " called %s", g.Call)
		}
	}
	fmt.Fprintf(&b, " (file %s; every rank must make the same metadata calls, with the same arguments, in the same order; the file on disk is as of the last good flush)", e.File)
	return b.String()
}

func rankList(ranks []int) string {
	if len(ranks) == 1 {
		return fmt.Sprintf("rank %d", ranks[0])
	}
	s := make([]string, len(ranks))
	for i, r := range ranks {
		s[i] = fmt.Sprint(r)
	}
	return "ranks " + strings.Join(s, ",")
}

// newMismatch finds the first call on which the logs (numbered from
// first) differ and groups the ranks by what they called there. When the
// logs are equal the models differ: ranks are grouped by model digest.
func newMismatch(file string, first uint64, logs [][]string, models []uint64) *MismatchError {
	n := 0
	for _, l := range logs {
		n = max(n, len(l))
	}
	at := func(r, i int) string {
		if i < len(logs[r]) {
			return logs[r][i]
		}
		return ""
	}
	for i := 0; i < n; i++ {
		differ := false
		for r := range logs {
			if at(r, i) != at(0, i) {
				differ = true
				break
			}
		}
		if differ {
			return &MismatchError{File: file, Op: first + uint64(i), Calls: groupRanks(len(logs), func(r int) string { return at(r, i) })}
		}
	}
	return &MismatchError{File: file, Op: first + uint64(n) - 1, SameCalls: true, Calls: groupRanks(len(logs), func(r int) string {
		return fmt.Sprintf("model digest %016x", models[r])
	})}
}

// groupRanks groups ranks 0..n-1 by key, the largest group last (on a tie,
// the group holding the lowest rank), the others by their lowest rank.
func groupRanks(n int, key func(r int) string) []RankCall {
	idx := map[string]int{}
	var out []RankCall
	for r := range n {
		k := key(r)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, RankCall{Call: k})
		}
		out[i].Ranks = append(out[i].Ranks, r)
	}
	big := 0
	for i, g := range out {
		if len(g.Ranks) > len(out[big].Ranks) {
			big = i
		}
	}
	last := out[big]
	out = append(out[:big], out[big+1:]...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Ranks[0] < out[j].Ranks[0] })
	return append(out, last)
}
