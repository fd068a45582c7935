package launch

import (
	"fmt"
	"strconv"
	"strings"
)

// maxHostlist bounds the expansion of one Slurm host list: a malformed or
// hostile "n[0-999999999]" must be an error, not a billion strings.
const maxHostlist = 1 << 20

// ExpandHostlist expands Slurm's compressed host list syntax, as in
// SLURM_JOB_NODELIST: "node[01-03,07],gpu1" is node01 node02 node03 node07
// gpu1. A range keeps the zero padding of its lower bound, as Slurm writes
// it; several bracket groups in one name ("r[1-2]n[1-2]") multiply out, the
// first varying slowest. The order is Slurm's, the order of the allocation.
func ExpandHostlist(list string) ([]string, error) {
	var out []string
	for _, item := range splitTop(list) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		names, err := expandName(item, maxHostlist-len(out))
		if err != nil {
			return nil, fmt.Errorf("the Slurm host list %q: %w", list, err)
		}
		out = append(out, names...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the Slurm host list %q: no hosts: %w", list, ErrHosts)
	}
	return out, nil
}

// splitTop splits s at the commas outside brackets.
func splitTop(s string) []string {
	var parts []string
	depth, from := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[from:i])
				from = i + 1
			}
		}
	}
	return append(parts, s[from:])
}

// expandName expands one name with zero or more bracket groups, at most
// limit names.
func expandName(name string, limit int) ([]string, error) {
	open := strings.IndexByte(name, '[')
	if open < 0 {
		if strings.IndexByte(name, ']') >= 0 {
			return nil, fmt.Errorf("%q: ']' without '[': %w", name, ErrHosts)
		}
		return []string{name}, nil
	}
	end := strings.IndexByte(name[open:], ']')
	if end < 0 {
		return nil, fmt.Errorf("%q: '[' without ']': %w", name, ErrHosts)
	}
	end += open
	head, body, tail := name[:open], name[open+1:end], name[end+1:]
	if strings.IndexByte(body, '[') >= 0 {
		return nil, fmt.Errorf("%q: nested brackets: %w", name, ErrHosts)
	}
	var mids []string
	for _, r := range strings.Split(body, ",") {
		lo, hi, isRange := strings.Cut(r, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if lo == "" || err1 != nil || err2 != nil || a < 0 || b < a {
			return nil, fmt.Errorf("%q: range %q: give N or N-M with N <= M: %w", name, r, ErrHosts)
		}
		if b-a >= limit-len(mids) {
			return nil, fmt.Errorf("%q: more than %d hosts: %w", name, maxHostlist, ErrHosts)
		}
		for v := a; v <= b; v++ {
			mids = append(mids, fmt.Sprintf("%0*d", len(lo), v))
		}
	}
	tails, err := expandName(tail, max(1, limit/len(mids)))
	if err != nil {
		return nil, err
	}
	if len(mids)*len(tails) > limit {
		return nil, fmt.Errorf("%q: more than %d hosts: %w", name, maxHostlist, ErrHosts)
	}
	out := make([]string, 0, len(mids)*len(tails))
	for _, m := range mids {
		for _, t := range tails {
			out = append(out, head+m+t)
		}
	}
	return out, nil
}

// ExpandTasksPerNode expands SLURM_TASKS_PER_NODE: "2(x3),1" is 2 2 2 1,
// one count per node of the node list.
func ExpandTasksPerNode(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		n, reps := f, 1
		if i := strings.Index(f, "(x"); i >= 0 {
			r, err := strconv.Atoi(strings.TrimSuffix(f[i+2:], ")"))
			if !strings.HasSuffix(f, ")") || err != nil || r < 1 {
				return nil, fmt.Errorf("SLURM_TASKS_PER_NODE %q: %q: give N or N(xM): %w", s, f, ErrHosts)
			}
			n, reps = f[:i], r
		}
		k, err := strconv.Atoi(n)
		if err != nil || k < 0 {
			return nil, fmt.Errorf("SLURM_TASKS_PER_NODE %q: %q: give N or N(xM): %w", s, f, ErrHosts)
		}
		if reps > maxHostlist-len(out) {
			return nil, fmt.Errorf("SLURM_TASKS_PER_NODE %q: more than %d nodes: %w", s, maxHostlist, ErrHosts)
		}
		for range reps {
			out = append(out, k)
		}
	}
	return out, nil
}

// slurmHosts is the allocation Slurm describes through getenv: the nodes
// of SLURM_JOB_NODELIST (or SLURM_NODELIST) with SLURM_TASKS_PER_NODE
// slots each, SLURM_NTASKS, the ranks to start by default (0 when not
// set: then the slots), and the CPUs of each node
// (SLURM_JOB_CPUS_PER_NODE; nil when not set). ok is false outside an
// allocation.
func slurmHosts(getenv func(string) string) (hosts []Host, ntasks int, cpus map[string]int, ok bool, err error) {
	list := getenv("SLURM_JOB_NODELIST")
	if list == "" {
		list = getenv("SLURM_NODELIST")
	}
	if list == "" {
		return nil, 0, nil, false, nil
	}
	names, err := ExpandHostlist(list)
	if err != nil {
		return nil, 0, nil, true, err
	}
	if v := getenv("SLURM_JOB_CPUS_PER_NODE"); v != "" {
		c, err := ExpandTasksPerNode(v)
		if err == nil && len(c) == len(names) {
			cpus = map[string]int{}
			for i, n := range names {
				cpus[n] = c[i]
			}
		}
	}
	tpn := getenv("SLURM_TASKS_PER_NODE")
	if tpn == "" {
		tpn = getenv("SLURM_JOB_CPUS_PER_NODE") // -N without -n: one slot per CPU
	}
	counts := make([]int, len(names))
	if tpn != "" {
		c, err := ExpandTasksPerNode(tpn)
		if err != nil {
			return nil, 0, nil, true, err
		}
		if len(c) != len(names) {
			return nil, 0, nil, true, fmt.Errorf("SLURM_TASKS_PER_NODE=%q gives %d nodes, SLURM_JOB_NODELIST=%q %d: %w", tpn, len(c), list, len(names), ErrHosts)
		}
		counts = c
	}
	for i, name := range names {
		hosts = append(hosts, Host{Name: name, Slots: max(1, counts[i])})
	}
	if v := getenv("SLURM_NTASKS"); v != "" {
		if ntasks, err = strconv.Atoi(v); err != nil || ntasks < 1 {
			return nil, 0, nil, true, fmt.Errorf("SLURM_NTASKS=%q: not a task count: %w", v, ErrHosts)
		}
	}
	return hosts, ntasks, cpus, true, nil
}
