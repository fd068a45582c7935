package launch

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// BindTo says what each rank is pinned to (Open MPI's --bind-to). Go ranks
// size their scheduler (GOMAXPROCS) from the CPUs they may run on, so a
// bound rank also runs as many Ps as it has CPUs.
type BindTo int

const (
	// BindNone leaves the ranks free to run on any CPU the launcher may
	// use; gorun shares the CPUs out through GOMAXPROCS only.
	BindNone BindTo = iota
	// BindCore pins each rank to cores of its own, all hardware threads
	// of each: the rank with slot s on its host gets cores s*c ..
	// s*c+c-1 of the cores the launcher (or agent) may use, c being
	// --cpus-per-rank (default 1), wrapping around when the host has
	// more ranks than cores.
	BindCore
	// BindHWThread pins each rank to c hardware threads the same way.
	BindHWThread
)

// ParseBindTo reads --bind-to's value: core, hwthread or none.
func ParseBindTo(s string) (BindTo, error) {
	policy, _, _ := strings.Cut(strings.ToLower(s), ":") // ":overload-allowed" and the like: wrapping is always allowed
	switch policy {
	case "none":
		return BindNone, nil
	case "core":
		return BindCore, nil
	case "hwthread":
		return BindHWThread, nil
	}
	return 0, fmt.Errorf("--bind-to %q: give core, hwthread or none", s)
}

// String is the --bind-to value that selects b.
func (b BindTo) String() string {
	switch b {
	case BindCore:
		return "core"
	case BindHWThread:
		return "hwthread"
	}
	return "none"
}

// cpuCore is one core: its package (socket) and the hardware threads
// (CPU numbers) of it this process may use.
type cpuCore struct {
	pkg, id int
	cpus    []int
}

// coresOf groups the CPUs allowed into cores, using the topology Linux
// gives in /sys (sys is its root, "/sys/devices/system/cpu"); a CPU whose
// topology cannot be read is a core of its own. Cores come in the order
// of their first CPU.
func coresOf(allowed []int, sys string) []cpuCore {
	var cores []cpuCore
	index := map[[2]int]int{}
	for _, c := range allowed {
		pkg, err1 := readInt(fmt.Sprintf("%s/cpu%d/topology/physical_package_id", sys, c))
		id, err2 := readInt(fmt.Sprintf("%s/cpu%d/topology/core_id", sys, c))
		if err1 != nil || err2 != nil {
			pkg, id = 0, -1-c // unique
		}
		k := [2]int{pkg, id}
		if i, ok := index[k]; ok {
			cores[i].cpus = append(cores[i].cpus, c)
			continue
		}
		index[k] = len(cores)
		cores = append(cores, cpuCore{pkg: pkg, id: id, cpus: []int{c}})
	}
	return cores
}

func readInt(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// binding is the CPUs one rank is pinned to, and the cores they belong to
// (for the report).
type binding struct {
	cpus  []int
	cores []int // indexes into the host's cores
}

// bindRank is the binding of the rank with slot on a host whose usable
// cores are cores, with width cores (or hardware threads) each.
func bindRank(policy BindTo, cores []cpuCore, slot, width int) binding {
	width = max(1, width)
	var b binding
	switch policy {
	case BindCore:
		if len(cores) == 0 {
			return b
		}
		for k := range min(width, len(cores)) {
			i := (slot*width + k) % len(cores)
			b.cores = append(b.cores, i)
			b.cpus = append(b.cpus, cores[i].cpus...)
		}
	case BindHWThread:
		var threads []int
		var coreOf []int
		for i, c := range cores {
			threads = append(threads, c.cpus...)
			for range c.cpus {
				coreOf = append(coreOf, i)
			}
		}
		if len(threads) == 0 {
			return b
		}
		for k := range min(width, len(threads)) {
			i := (slot*width + k) % len(threads)
			b.cpus = append(b.cpus, threads[i])
			if !slices.Contains(b.cores, coreOf[i]) {
				b.cores = append(b.cores, coreOf[i])
			}
		}
	}
	slices.Sort(b.cpus)
	return b
}

// reportLine is Open MPI's --report-bindings line for a rank, with the
// CPU list appended as /proc/PID/status spells it (Cpus_allowed_list):
//
//	[host:pid] MCW rank 3 bound to socket 0[core 1[hwt 0]]: [./B] (cpus 1)
//	[host:pid] MCW rank 3 is not bound (or bound to all available processors)
//
// host and pid are the launcher's (or agent's), as Open MPI prints its
// daemon's.
func reportLine(host string, pid, rank int, cores []cpuCore, b binding) string {
	head := fmt.Sprintf("[%s:%d] MCW rank %d ", host, pid, rank)
	if len(b.cpus) == 0 {
		return head + "is not bound (or bound to all available processors)\n"
	}
	var parts []string
	for _, i := range b.cores {
		c := cores[i]
		var hwt []int
		for t, cpu := range c.cpus {
			if slices.Contains(b.cpus, cpu) {
				hwt = append(hwt, t)
			}
		}
		parts = append(parts, fmt.Sprintf("socket %d[core %d[hwt %s]]", c.pkg, coreNumber(cores, i), cpuList(hwt)))
	}
	var m strings.Builder
	for i, c := range cores {
		if i == 0 || cores[i-1].pkg != c.pkg {
			if i > 0 {
				m.WriteString("]")
			}
			m.WriteString("[")
		} else {
			m.WriteString("/")
		}
		for _, cpu := range c.cpus {
			if slices.Contains(b.cpus, cpu) {
				m.WriteByte('B')
			} else {
				m.WriteByte('.')
			}
		}
	}
	m.WriteString("]")
	return fmt.Sprintf("%sbound to %s: %s (cpus %s)\n", head, strings.Join(parts, ", "), m.String(), cpuList(b.cpus))
}

// coreNumber is core i's index within its socket, as Open MPI counts.
func coreNumber(cores []cpuCore, i int) int {
	n := 0
	for j := range i {
		if cores[j].pkg == cores[i].pkg {
			n++
		}
	}
	return n
}

// cpuList writes sorted numbers as Linux's list format: "0-3,8,10-11".
func cpuList(cpus []int) string {
	var b strings.Builder
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(cpus[i]))
		if j > i {
			b.WriteString("-" + strconv.Itoa(cpus[j]))
		}
		i = j + 1
	}
	return b.String()
}

// bindLocal is the binding of rank id when the launcher starts it itself;
// nothing when not binding or when the rank starts through Remote (its
// agent binds it on its host).
func (r *Running) bindLocal(id int) binding {
	if r.job.BindTo == BindNone || r.lay.remote[id] {
		return binding{}
	}
	return bindRank(r.job.BindTo, r.cores, r.lay.slot[id], r.job.CPUsPerRank)
}

// reportLocal is the --report-bindings line of a rank started here.
func (r *Running) reportLocal(id int, b binding) string {
	host, _ := os.Hostname()
	return reportLine(host, os.Getpid(), id, r.cores, b)
}
