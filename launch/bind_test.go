package launch

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// smt4 is a host of 2 sockets x 2 cores x 2 hardware threads, numbered
// as Linux often does: cpu N and N+4 share a core.
var smt4 = []cpuCore{
	{pkg: 0, id: 0, cpus: []int{0, 4}},
	{pkg: 0, id: 1, cpus: []int{1, 5}},
	{pkg: 1, id: 0, cpus: []int{2, 6}},
	{pkg: 1, id: 1, cpus: []int{3, 7}},
}

func TestBindRank(t *testing.T) {
	for _, tc := range []struct {
		name        string
		policy      BindTo
		slot, width int
		cpus, cores []int
	}{
		{"none", BindNone, 0, 1, nil, nil},
		{"core, slot 0", BindCore, 0, 1, []int{0, 4}, []int{0}},
		{"core, slot 3", BindCore, 3, 1, []int{3, 7}, []int{3}},
		{"core, wraps", BindCore, 5, 1, []int{1, 5}, []int{1}},
		{"core, 2 each", BindCore, 1, 2, []int{2, 3, 6, 7}, []int{2, 3}},
		{"core, wider than the host", BindCore, 0, 9, []int{0, 1, 2, 3, 4, 5, 6, 7}, []int{0, 1, 2, 3}},
		{"hwthread, slot 1", BindHWThread, 1, 1, []int{4}, []int{0}},
		{"hwthread, 2 each", BindHWThread, 1, 2, []int{1, 5}, []int{1}},
		{"cpus-per-rank 0 is 1", BindCore, 2, 0, []int{2, 6}, []int{2}},
	} {
		b := bindRank(tc.policy, smt4, tc.slot, tc.width)
		if !reflect.DeepEqual(b.cpus, tc.cpus) || !reflect.DeepEqual(b.cores, tc.cores) {
			t.Errorf("%s: cpus %v cores %v, want %v %v", tc.name, b.cpus, b.cores, tc.cpus, tc.cores)
		}
	}
}

func TestCoresOf(t *testing.T) {
	sys := t.TempDir()
	topo := map[int][2]int{0: {0, 0}, 1: {0, 1}, 2: {0, 0}, 3: {0, 1}} // cpu -> package, core
	for cpu, pc := range topo {
		dir := filepath.Join(sys, fmt.Sprintf("cpu%d", cpu), "topology")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "physical_package_id"), []byte(fmt.Sprintln(pc[0])), 0o644)
		os.WriteFile(filepath.Join(dir, "core_id"), []byte(fmt.Sprintln(pc[1])), 0o644)
	}
	got := coresOf([]int{0, 1, 2, 3, 9}, sys) // cpu 9 has no topology: a core of its own
	want := []cpuCore{{0, 0, []int{0, 2}}, {0, 1, []int{1, 3}}, {0, -10, []int{9}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("coresOf = %v, want %v", got, want)
	}
	if got := coresOf([]int{1, 3}, sys); !reflect.DeepEqual(got, []cpuCore{{0, 1, []int{1, 3}}}) {
		t.Errorf("coresOf of an affinity mask = %v", got)
	}
}

func TestReportLine(t *testing.T) {
	for _, tc := range []struct {
		b    binding
		want string
	}{
		{bindRank(BindCore, smt4, 0, 1), "[n1:42] MCW rank 7 bound to socket 0[core 0[hwt 0-1]]: [BB/..][../..] (cpus 0,4)\n"},
		{bindRank(BindCore, smt4, 1, 2), "[n1:42] MCW rank 7 bound to socket 1[core 0[hwt 0-1]], socket 1[core 1[hwt 0-1]]: [../..][BB/BB] (cpus 2-3,6-7)\n"},
		{bindRank(BindHWThread, smt4, 1, 1), "[n1:42] MCW rank 7 bound to socket 0[core 0[hwt 1]]: [.B/..][../..] (cpus 4)\n"},
		{binding{}, "[n1:42] MCW rank 7 is not bound (or bound to all available processors)\n"},
	} {
		if got := reportLine("n1", 42, 7, smt4, tc.b); got != tc.want {
			t.Errorf("reportLine:\n got %q\nwant %q", got, tc.want)
		}
	}
}

func TestCPUList(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{
		{nil, ""}, {[]int{0}, "0"}, {[]int{0, 1, 2, 3}, "0-3"}, {[]int{0, 2, 3, 4, 8}, "0,2-4,8"},
	} {
		if got := cpuList(tc.in); got != tc.want {
			t.Errorf("cpuList(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseFlagValues(t *testing.T) {
	for _, tc := range []struct {
		f    func(string) (any, error)
		in   string
		want any
		bad  bool
	}{
		{parseAny(ParseMapBy), "slot", MapBySlot, false},
		{parseAny(ParseMapBy), "NODE", MapByNode, false},
		{parseAny(ParseMapBy), "core", MapBySlot, false},
		{parseAny(ParseMapBy), "socket", nil, true},
		{parseAny(ParseBindTo), "core", BindCore, false},
		{parseAny(ParseBindTo), "core:overload-allowed", BindCore, false},
		{parseAny(ParseBindTo), "hwthread", BindHWThread, false},
		{parseAny(ParseBindTo), "none", BindNone, false},
		{parseAny(ParseBindTo), "numa", nil, true},
		{parseAny(ParseRemoteVia), "srun", RemoteSrun, false},
		{parseAny(ParseRemoteVia), "ssh", RemoteSSH, false},
		{parseAny(ParseRemoteVia), "pbsdsh", nil, true},
		{parseAny(ParseOutputFilename), "/o", OutputFiles{Dir: "/o"}, false},
		{parseAny(ParseOutputFilename), "/o:nocopy", OutputFiles{Dir: "/o", NoCopy: true}, false},
		{parseAny(ParseOutputFilename), "/o:NOCOPY", OutputFiles{Dir: "/o", NoCopy: true}, false},
		{parseAny(ParseOutputFilename), "/o:bogus", nil, true},
		{parseAny(ParseOutputFilename), ":nocopy", nil, true},
	} {
		got, err := tc.f(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func parseAny[T any](f func(string) (T, error)) func(string) (any, error) {
	return func(s string) (any, error) { v, err := f(s); return v, err }
}

// TestOutputRankDir: Open MPI 4 pads the rank to the digits of the size.
func TestOutputRankDir(t *testing.T) {
	o := OutputFiles{Dir: "/d"}
	for _, tc := range []struct {
		rank, size int
		want       string
	}{{0, 1, "/d/1/rank.0"}, {3, 10, "/d/1/rank.03"}, {10, 11, "/d/1/rank.10"}, {7, 1000, "/d/1/rank.0007"}} {
		if got := o.rankDir(tc.rank, tc.size); got != tc.want {
			t.Errorf("rankDir(%d, %d) = %q, want %q", tc.rank, tc.size, got, tc.want)
		}
	}
}
