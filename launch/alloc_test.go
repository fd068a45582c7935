package launch

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestExpandHostlist(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		bad  bool
	}{
		{in: "node1", want: []string{"node1"}},
		{in: "node[01-03,07],gpu1", want: []string{"node01", "node02", "node03", "node07", "gpu1"}},
		{in: "n[8-11]", want: []string{"n8", "n9", "n10", "n11"}},
		{in: "n[098-101]", want: []string{"n098", "n099", "n100", "n101"}},
		{in: "a,b[1-2],c", want: []string{"a", "b1", "b2", "c"}},
		{in: "rack[1-2]-n[1-2]", want: []string{"rack1-n1", "rack1-n2", "rack2-n1", "rack2-n2"}},
		{in: "x[3]", want: []string{"x3"}},
		{in: "cn[1-2].cluster", want: []string{"cn1.cluster", "cn2.cluster"}},
		{in: "10.0.0.1,10.0.0.2", want: []string{"10.0.0.1", "10.0.0.2"}},
		{in: "", bad: true},
		{in: "n[1-", bad: true},
		{in: "n1]", bad: true},
		{in: "n[3-1]", bad: true},
		{in: "n[a-b]", bad: true},
		{in: "n[]", bad: true},
		{in: "n[-3]", bad: true},
		{in: "n[1-[2]]", bad: true},
		{in: "n[0-999999999]", bad: true},              // too many: an error, not a billion names
		{in: "a[0-9999]b[0-9999]c[0-9999]", bad: true}, // the product too
	} {
		got, err := ExpandHostlist(tc.in)
		if tc.bad {
			if !errors.Is(err, ErrHosts) {
				t.Errorf("ExpandHostlist(%q) = %d names, %v; want ErrHosts", tc.in, len(got), err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ExpandHostlist(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestExpandTasksPerNode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		bad  bool
	}{
		{in: "4", want: []int{4}},
		{in: "2(x3),1", want: []int{2, 2, 2, 1}},
		{in: "1,2(x2)", want: []int{1, 2, 2}},
		{in: "", bad: true},
		{in: "2(x)", bad: true},
		{in: "2(x0)", bad: true},
		{in: "2(x3", bad: true},
		{in: "x", bad: true},
		{in: "1(x99999999)", bad: true},
	} {
		got, err := ExpandTasksPerNode(tc.in)
		if tc.bad {
			if !errors.Is(err, ErrHosts) {
				t.Errorf("ExpandTasksPerNode(%q) = %v, %v; want ErrHosts", tc.in, len(got), err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ExpandTasksPerNode(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestDetectAllocation(t *testing.T) {
	dir := t.TempDir()
	nodefile := filepath.Join(dir, "nodes")
	if err := os.WriteFile(nodefile, []byte("n1\nn1\nn2\n\nn1\nn3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("n1 slots=2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want *Allocation
		bad  bool
	}{
		{name: "none", env: map[string]string{}, want: nil},
		{name: "salloc -n 2", env: map[string]string{"SLURM_JOB_NODELIST": "vm", "SLURM_TASKS_PER_NODE": "2", "SLURM_NTASKS": "2"},
			want: &Allocation{Hosts: []Host{{"vm", 2}}, Ranks: 2, From: "Slurm", Srun: true}},
		{name: "salloc -n 3 -c 2 on two nodes", env: map[string]string{"SLURM_JOB_NODELIST": "a,b", "SLURM_TASKS_PER_NODE": "2,1", "SLURM_NTASKS": "3", "SLURM_JOB_CPUS_PER_NODE": "4,2"},
			want: &Allocation{Hosts: []Host{{"a", 2}, {"b", 1}}, Ranks: 3, From: "Slurm", Srun: true, CPUs: map[string]int{"a": 4, "b": 2}}},
		{name: "salloc -N 4 -n 7", env: map[string]string{"SLURM_JOB_NODELIST": "node[01-03,07]", "SLURM_TASKS_PER_NODE": "2(x3),1", "SLURM_NTASKS": "7"},
			want: &Allocation{Hosts: []Host{{"node01", 2}, {"node02", 2}, {"node03", 2}, {"node07", 1}}, Ranks: 7, From: "Slurm", Srun: true}},
		{name: "SLURM_NTASKS below the slots", env: map[string]string{"SLURM_NODELIST": "a,b", "SLURM_TASKS_PER_NODE": "2(x2)", "SLURM_NTASKS": "3"},
			want: &Allocation{Hosts: []Host{{"a", 2}, {"b", 2}}, Ranks: 3, From: "Slurm", Srun: true}},
		{name: "salloc -N 2 (CPUs as slots)", env: map[string]string{"SLURM_JOB_NODELIST": "a,b", "SLURM_JOB_CPUS_PER_NODE": "4(x2)"},
			want: &Allocation{Hosts: []Host{{"a", 4}, {"b", 4}}, Ranks: 8, From: "Slurm", Srun: true, CPUs: map[string]int{"a": 4, "b": 4}}},
		{name: "inside an srun step: not gorun's", env: map[string]string{"SLURM_JOB_NODELIST": "vm", "SLURM_TASKS_PER_NODE": "1", "SLURM_NTASKS": "1", "SLURM_STEP_ID": "0"},
			want: nil},
		{name: "Slurm wins over PBS", env: map[string]string{"SLURM_JOB_NODELIST": "a", "SLURM_TASKS_PER_NODE": "1", "PBS_NODEFILE": nodefile},
			want: &Allocation{Hosts: []Host{{"a", 1}}, Ranks: 1, From: "Slurm", Srun: true}},
		{name: "PBS", env: map[string]string{"PBS_NODEFILE": nodefile},
			want: &Allocation{Hosts: []Host{{"n1", 3}, {"n2", 1}, {"n3", 1}}, Ranks: 5, From: "PBS"}},
		{name: "counts and nodes disagree", env: map[string]string{"SLURM_JOB_NODELIST": "a,b", "SLURM_TASKS_PER_NODE": "2"}, bad: true},
		{name: "bad node list", env: map[string]string{"SLURM_JOB_NODELIST": "a[1-", "SLURM_TASKS_PER_NODE": "2"}, bad: true},
		{name: "bad task count", env: map[string]string{"SLURM_JOB_NODELIST": "a", "SLURM_TASKS_PER_NODE": "2", "SLURM_NTASKS": "two"}, bad: true},
		{name: "PBS file missing", env: map[string]string{"PBS_NODEFILE": filepath.Join(dir, "none")}, bad: true},
		{name: "PBS file with slots=", env: map[string]string{"PBS_NODEFILE": bad}, bad: true},
	} {
		got, err := DetectAllocation(func(k string) string { return tc.env[k] })
		if tc.bad {
			if err == nil {
				t.Errorf("%s: %+v, want an error", tc.name, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func TestMappingPlace(t *testing.T) {
	h := []Host{{"a", 2}, {"b", 3}, {"c", 1}}
	for _, tc := range []struct {
		name string
		m    Mapping
		size int
		want []int
		bad  bool
	}{
		{name: "by slot", m: Mapping{}, size: 6, want: []int{0, 0, 1, 1, 1, 2}},
		{name: "by slot, fewer ranks", m: Mapping{}, size: 4, want: []int{0, 0, 1, 1}},
		{name: "by node", m: Mapping{By: MapByNode}, size: 6, want: []int{0, 1, 2, 0, 1, 1}},
		{name: "by node, fewer ranks", m: Mapping{By: MapByNode}, size: 4, want: []int{0, 1, 2, 0}},
		{name: "npernode 1", m: Mapping{PerNode: 1}, size: 3, want: []int{0, 1, 2}},
		{name: "npernode 2 by slot", m: Mapping{PerNode: 2}, size: 6, want: []int{0, 0, 1, 1, 2, 2}},
		{name: "npernode 2 by node", m: Mapping{PerNode: 2, By: MapByNode}, size: 5, want: []int{0, 1, 2, 0, 1}},
		{name: "too many", m: Mapping{}, size: 7, bad: true},
		{name: "npernode too many", m: Mapping{PerNode: 1}, size: 4, bad: true},
		{name: "oversubscribed by slot", m: Mapping{Oversubscribe: true}, size: 8, want: []int{0, 0, 1, 1, 1, 2, 0, 0}},
		{name: "oversubscribed by node", m: Mapping{By: MapByNode, Oversubscribe: true}, size: 8, want: []int{0, 1, 2, 0, 1, 1, 0, 1}},
	} {
		got, err := tc.m.place(h, tc.size)
		if tc.bad {
			if !errors.Is(err, ErrHosts) {
				t.Errorf("%s: %v, %v; want ErrHosts", tc.name, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

// TestLayout: which ranks start here and which through Remote, their
// slots on their hosts, and each host's count, for allocations that name
// this machine.
func TestLayout(t *testing.T) {
	me, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(me, "other") {
		t.Fatalf("this host's name %q collides with the test's", me)
	}
	for _, tc := range []struct {
		name       string
		job        Job
		remote     []bool
		slot       []int
		perHost    []int
		multi      bool
		routeIsSet bool
	}{
		{name: "no hosts", job: Job{Size: 3}, remote: []bool{false, false, false}, slot: []int{0, 1, 2}, perHost: []int{3}},
		{name: "this host only (salloc -n 2)", job: Job{Size: 2, Hosts: []Host{{me, 2}}},
			remote: []bool{false, false}, slot: []int{0, 1}, perHost: []int{2}},
		{name: "this host under two names", job: Job{Size: 3, Hosts: []Host{{me, 1}, {"localhost", 2}}},
			remote: []bool{false, false, false}, slot: []int{0, 1, 2}, perHost: []int{3}},
		{name: "srun for every rank", job: Job{Size: 2, Hosts: []Host{{me, 2}}, Remote: Remote{Via: RemoteSrun, All: true}},
			remote: []bool{true, true}, slot: []int{0, 1}, perHost: []int{2}, multi: true},
		{name: "this host and another by node", job: Job{Size: 4, Hosts: []Host{{me, 2}, {"127.0.0.2", 2}}, Mapping: Mapping{By: MapByNode}},
			remote: []bool{false, true, false, true}, slot: []int{0, 0, 1, 1}, perHost: []int{2, 2}, multi: true, routeIsSet: true},
	} {
		l, err := newLayout(&tc.job)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(l.remote, tc.remote) || !reflect.DeepEqual(l.slot, tc.slot) || !reflect.DeepEqual(l.perHost, tc.perHost) || l.multi != tc.multi || (l.routeIP != "") != tc.routeIsSet {
			t.Errorf("%s: remote %v slot %v perHost %v multi %v route %q;\nwant remote %v slot %v perHost %v multi %v route set %v",
				tc.name, l.remote, l.slot, l.perHost, l.multi, l.routeIP, tc.remote, tc.slot, tc.perHost, tc.multi, tc.routeIsSet)
		}
	}
}

func TestSameHostName(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"node1", "node1", true},
		{"node1", "node1.cluster.org", true},
		{"node1.a", "node1", true},
		{"node1", "node10", false},
		{"10.0.0.1", "10.0.0.2", false},
		{"10.0.0.1", "10.0.0.1", true},
	} {
		if got := sameHostName(tc.a, tc.b); got != tc.want {
			t.Errorf("sameHostName(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestSrunArgs: the job step that starts a rank's agent on its node.
func TestSrunArgs(t *testing.T) {
	for _, tc := range []struct {
		host string
		cpus int
		want string
	}{
		{"node07", 0, "srun --overlap -N1 -n1 -w node07 --kill-on-bad-exit=0 --mpi=none --input=0 -Q -- /opt/gorun --agent"},
		{"gpu1", 32, "srun --overlap -N1 -n1 -w gpu1 -c 32 --kill-on-bad-exit=0 --mpi=none --input=0 -Q -- /opt/gorun --agent"},
	} {
		if got := strings.Join(srunArgs(tc.host, tc.cpus, "/opt/gorun"), " "); got != tc.want {
			t.Errorf("srunArgs(%q, %d):\n got %s\nwant %s", tc.host, tc.cpus, got, tc.want)
		}
	}
}

// TestAllocationToRanks follows an allocation from Slurm's variables to
// each rank's node and how it starts, as gorun run on the allocation's
// first node (sbatch) or outside it (salloc on a login node) does.
func TestAllocationToRanks(t *testing.T) {
	me, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		nodes  string
		tasks  string
		size   int
		by     MapBy
		host   []string
		remote []bool
	}{
		{"sbatch on the first node", me + ",127.0.0.2", "2,1", 3, MapBySlot,
			[]string{me, me, "127.0.0.2"}, []bool{false, false, true}},
		{"sbatch, by node", me + ",127.0.0.2", "2(x2)", 4, MapByNode,
			[]string{me, "127.0.0.2", me, "127.0.0.2"}, []bool{false, true, false, true}},
		{"salloc from a login node", "127.0.0.[2-3]", "1(x2)", 2, MapBySlot,
			[]string{"127.0.0.2", "127.0.0.3"}, []bool{true, true}},
	} {
		env := map[string]string{"SLURM_JOB_NODELIST": tc.nodes, "SLURM_TASKS_PER_NODE": tc.tasks}
		a, err := DetectAllocation(func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		job := Job{Size: tc.size, Hosts: a.Hosts, Mapping: Mapping{By: tc.by}, Remote: Remote{Via: RemoteSrun}}
		l, err := newLayout(&job)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var host []string
		for id := range tc.size {
			host = append(host, l.hostName(&job, id))
		}
		if !reflect.DeepEqual(host, tc.host) || !reflect.DeepEqual(l.remote, tc.remote) || !l.multi {
			t.Errorf("%s: hosts %v remote %v multi %v; want %v %v true", tc.name, host, l.remote, l.multi, tc.host, tc.remote)
		}
	}
}
