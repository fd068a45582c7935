//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// fakeSSH writes an "ssh" that runs gorun's agent here, whatever host it
// is given: the agent starts the rank with GORUN_HOST set to the host the
// launcher placed it on, so placement shows through the real binary
// without other hosts. SSH_CONNECTION is what sshd would set.
func fakeSSH(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fakessh")
	script := "#!/bin/sh\nSSH_CONNECTION='127.0.0.1 40000 127.0.0.1 22' exec " + gorunBin + " --agent\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// hostsOf runs a job whose ranks print "RANK HOST" and returns each
// rank's host, in rank order.
func hostsOf(t *testing.T, args ...string) []string {
	t.Helper()
	args = append(args, "sh", "-c", `echo "$GORUN_RANK $GORUN_HOST"`)
	res := gorun(t, "", args...)
	if res.code != 0 {
		t.Fatalf("gorun %q: exit %d\n%s%s", args, res.code, res.stdout, res.stderr)
	}
	var got []string
	for _, l := range lines(res.stdout) {
		var r int
		var h string
		if _, err := fmt.Sscanf(l, "%d %s", &r, &h); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		for len(got) <= r {
			got = append(got, "")
		}
		got[r] = h
	}
	return got
}

// TestMapByAndNpernode places ranks on three (fake) hosts through the
// real gorun binary: by slot, by node, with --npernode, from a PBS node
// file and from a Slurm allocation's variables.
func TestMapByAndNpernode(t *testing.T) {
	ssh := fakeSSH(t)
	dir := t.TempDir()
	nodefile := filepath.Join(dir, "pbs_nodefile")
	if err := os.WriteFile(nodefile, []byte("n1\nn1\nn2\nn3\nn3\nn3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{name: "map-by slot", args: []string{"-H", "n1:2,n2:2,n3:2", "-n", "5"}, want: []string{"n1", "n1", "n2", "n2", "n3"}},
		{name: "map-by node", args: []string{"-H", "n1:2,n2:2,n3:2", "-n", "5", "--map-by", "node"}, want: []string{"n1", "n2", "n3", "n1", "n2"}},
		{name: "npernode 1, -n from it", args: []string{"-H", "n1:2,n2:2,n3:2", "--npernode", "1"}, want: []string{"n1", "n2", "n3"}},
		{name: "npernode 3 by node", args: []string{"-H", "n1,n2", "--npernode", "3", "--map-by", "node"}, want: []string{"n1", "n2", "n1", "n2", "n1", "n2"}},
		{name: "oversubscribe", args: []string{"-H", "n1,n2", "-n", "3", "--oversubscribe"}, want: []string{"n1", "n2", "n1"}},
		{name: "PBS node file", env: map[string]string{"PBS_NODEFILE": nodefile}, args: []string{"--launcher", "ssh"},
			want: []string{"n1", "n1", "n2", "n3", "n3", "n3"}},
		{name: "PBS node file by node", env: map[string]string{"PBS_NODEFILE": nodefile}, args: []string{"--map-by", "node", "-n", "4"},
			want: []string{"n1", "n2", "n3", "n1"}},
		{name: "Slurm allocation over ssh", env: map[string]string{"SLURM_JOB_NODELIST": "n[1-2],n3", "SLURM_TASKS_PER_NODE": "2(x2),1", "SLURM_NTASKS": "5"},
			args: []string{"--launcher", "ssh"}, want: []string{"n1", "n1", "n2", "n2", "n3"}},
		{name: "Slurm allocation, SLURM_NTASKS below the slots", env: map[string]string{"SLURM_JOB_NODELIST": "n[1-3]", "SLURM_TASKS_PER_NODE": "2(x3)", "SLURM_NTASKS": "4"},
			args: []string{"--launcher", "ssh", "--map-by", "node"}, want: []string{"n1", "n2", "n3", "n1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			got := hostsOf(t, append([]string{"--ssh", ssh}, tc.args...)...)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ranks on %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("too many ranks", func(t *testing.T) {
		res := gorun(t, "", "--ssh", ssh, "-H", "n1,n2", "-n", "3", "true")
		if res.code == 0 || !strings.Contains(res.stderr, "--oversubscribe") {
			t.Errorf("3 ranks on 2 slots: exit %d, stderr %q; want a failure naming --oversubscribe", res.code, res.stderr)
		}
	})
	t.Run("bad allocation", func(t *testing.T) {
		t.Setenv("SLURM_JOB_NODELIST", "n[1-")
		res := gorun(t, "", "true")
		if res.code != 2 || !strings.Contains(res.stderr, "Slurm") {
			t.Errorf("malformed SLURM_JOB_NODELIST: exit %d, stderr %q; want exit 2 naming Slurm", res.code, res.stderr)
		}
	})
}

var (
	reportRe  = regexp.MustCompile(`(?m)^\[[^:\]]+:\d+\] MCW rank (\d+) bound to .*: \[[B./\]\[]+\] \(cpus ([0-9,-]+)\)$`)
	allowedRe = regexp.MustCompile(`(?m)^(\d+) Cpus_allowed_list:\s+(\S+)$`)
)

// TestBindToCore: with --bind-to core each rank's Cpus_allowed_list, as
// the kernel reports it in /proc/self/status, is what --report-bindings
// said, ranks on different cores while there are enough; without
// binding every rank may use every CPU gorun may.
func TestBindToCore(t *testing.T) {
	self, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	all := allowedRe.FindStringSubmatch("0 " + regexp.MustCompile(`Cpus_allowed_list:\s+\S+`).FindString(string(self)))[2]
	prog := []string{"sh", "-c", `echo "$GORUN_RANK $(grep Cpus_allowed_list /proc/self/status)"`}
	n := 3
	res := gorun(t, "", append([]string{"-n", fmt.Sprint(n), "--bind-to", "core", "--report-bindings"}, prog...)...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	reported := map[string]string{}
	for _, m := range reportRe.FindAllStringSubmatch(res.stderr, -1) {
		reported[m[1]] = m[2]
	}
	got := map[string]string{}
	for _, m := range allowedRe.FindAllStringSubmatch(res.stdout, -1) {
		got[m[1]] = m[2]
	}
	if len(reported) != n || len(got) != n {
		t.Fatalf("want %d report lines and %d ranks' masks:\nstdout:\n%s\nstderr:\n%s", n, n, res.stdout, res.stderr)
	}
	if !reflect.DeepEqual(reported, got) {
		t.Errorf("reported bindings %v, the kernel's masks %v", reported, got)
	}
	if all != "0" && got["0"] == got["1"] {
		t.Errorf("ranks 0 and 1 share CPUs %s while gorun may use %s", got["0"], all)
	}
	for r, cpus := range got {
		if cpus == all && all != "0" {
			t.Errorf("rank %s is not bound: CPUs %s", r, cpus)
		}
	}
	res = gorun(t, "", append([]string{"-n", "2", "--bind-to", "none", "--report-bindings"}, prog...)...)
	if strings.Count(res.stderr, "is not bound") != 2 {
		t.Errorf("--bind-to none: stderr %q, want 2 'is not bound' lines", res.stderr)
	}
	for _, m := range allowedRe.FindAllStringSubmatch(res.stdout, -1) {
		if m[2] != all {
			t.Errorf("--bind-to none: rank %s has CPUs %s, want gorun's %s", m[1], m[2], all)
		}
	}
}

// TestOutputFilename: each rank's stdout and stderr land in Open MPI 4's
// layout, DIR/1/rank.N/{stdout,stderr}, untagged, and still reach the
// terminal unless :nocopy.
func TestOutputFilename(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	prog := []string{"sh", "-c", `echo "out $GORUN_RANK"; echo "err $GORUN_RANK" >&2`}
	res := gorun(t, "", append([]string{"-n", "11", "-l", "--output-filename", dir}, prog...)...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	for r := range 11 {
		for stream, want := range map[string]string{"stdout": fmt.Sprintf("out %d\n", r), "stderr": fmt.Sprintf("err %d\n", r)} {
			b, err := os.ReadFile(filepath.Join(dir, "1", fmt.Sprintf("rank.%02d", r), stream))
			if err != nil || string(b) != want {
				t.Errorf("rank %d %s: %q, %v; want %q", r, stream, b, err, want)
			}
		}
		if !strings.Contains(res.stdout, fmt.Sprintf("[%d] out %d\n", r, r)) {
			t.Errorf("rank %d's tagged line is not on gorun's stdout:\n%s", r, res.stdout)
		}
	}
	dir2 := filepath.Join(t.TempDir(), "quiet")
	res = gorun(t, "", append([]string{"-n", "2", "--output-filename", dir2 + ":nocopy"}, prog...)...)
	if res.code != 0 || res.stdout != "" || res.stderr != "" {
		t.Errorf(":nocopy: exit %d, stdout %q, stderr %q; want nothing on the terminal", res.code, res.stdout, res.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dir2, "1", "rank.1", "stdout")); err != nil || string(b) != "out 1\n" {
		t.Errorf(":nocopy: rank.1/stdout %q, %v", b, err)
	}
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res = gorun(t, "", append([]string{"-n", "2", "--output-filename", file}, prog...)...)
	if res.code != 1 || !strings.Contains(res.stderr, "--output-filename for rank 0") {
		t.Errorf("--output-filename under a file: exit %d, stderr %q; want exit 1 naming the flag", res.code, res.stderr)
	}
}

// TestWdir: the ranks run in --wdir, and a relative program path is still
// gorun's.
func TestWdir(t *testing.T) {
	wd := t.TempDir()
	res := gorun(t, "", "-n", "2", "--wdir", wd, "pwd")
	if res.code != 0 || res.stdout != wd+"\n"+wd+"\n" {
		t.Errorf("--wdir %s: exit %d, stdout %q", wd, res.code, res.stdout)
	}
	if res := gorun(t, "", "--wdir", filepath.Join(wd, "none"), "pwd"); res.code != 2 || !strings.Contains(res.stderr, "--wdir") {
		t.Errorf("missing --wdir: exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestMPMD: `gorun -n 1 A : -n 3 B` is one world of 4 ranks, A rank 0
// and B ranks 1-3, each part with its own -x; Go ranks of both programs
// meet in one communicator.
func TestMPMD(t *testing.T) {
	res := gorun(t, "", "-n", "1", "-x", "WHO=a", "sh", "-c", `echo "$GORUN_RANK/$GORUN_SIZE $WHO app=${GORUN_APPNUM:-0}"`,
		":", "-n", "3", "-x", "WHO=b", "sh", "-c", `echo "$GORUN_RANK/$GORUN_SIZE $WHO app=$GORUN_APPNUM"`)
	got := lines(res.stdout)
	sort.Strings(got)
	want := []string{"0/4 a app=0", "1/4 b app=1", "2/4 b app=1", "3/4 b app=1"}
	if res.code != 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("exit %d, lines %q, want %q\n%s", res.code, got, want, res.stderr)
	}
	if helloBin != "" {
		res = gorun(t, "", "-n", "2", helloBin, ":", "-n", "1", helloBin)
		got = lines(res.stdout)
		sort.Strings(got)
		want = []string{"hello from rank 0 of 3", "hello from rank 1 of 3", "hello from rank 2 of 3"}
		if res.code != 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("hello : hello: exit %d, lines %q, want %q\n%s", res.code, got, want, res.stderr)
		}
	}
	for _, bad := range [][]string{{"true", ":"}, {"true", ":", "-n", "0", "true"}, {"true", ":", "-H", "a", "true"}} {
		if res := gorun(t, "", bad...); res.code != 2 {
			t.Errorf("gorun %q: exit %d, want 2 (%s)", bad, res.code, res.stderr)
		}
	}
}

// TestRemoteBindAndMPMD: ranks started through the agent (fake ssh, as
// srun or ssh would start it on another node) are bound by it and report
// it, and an MPMD job places each part's program on its hosts.
func TestRemoteBindAndMPMD(t *testing.T) {
	ssh := fakeSSH(t)
	prog := []string{"sh", "-c", `echo "$GORUN_RANK $(grep Cpus_allowed_list /proc/self/status)"`}
	res := gorun(t, "", append([]string{"--ssh", ssh, "-H", "n1:2", "--bind-to", "core", "--report-bindings"}, prog...)...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	reported := map[string]string{}
	for _, m := range reportRe.FindAllStringSubmatch(res.stderr, -1) {
		reported[m[1]] = m[2]
	}
	got := map[string]string{}
	for _, m := range allowedRe.FindAllStringSubmatch(res.stdout, -1) {
		got[m[1]] = m[2]
	}
	if len(got) != 2 || !reflect.DeepEqual(reported, got) {
		t.Errorf("agents reported %v, the kernel's masks %v\n%s", reported, got, res.stderr)
	}

	res = gorun(t, "", "--ssh", ssh, "-H", "n1,n2,n3", "--map-by", "node",
		"-n", "1", "sh", "-c", `echo "$GORUN_RANK a $GORUN_HOST"`, ":", "-n", "2", "sh", "-c", `echo "$GORUN_RANK b $GORUN_HOST app=$GORUN_APPNUM"`)
	l := lines(res.stdout)
	sort.Strings(l)
	if want := []string{"0 a n1", "1 b n2 app=1", "2 b n3 app=1"}; res.code != 0 || !reflect.DeepEqual(l, want) {
		t.Errorf("remote MPMD: exit %d, %q, want %q\n%s", res.code, l, want, res.stderr)
	}
}

// TestThisHostAndRemote: a host list (or allocation) naming this machine
// and another: this host's ranks start as gorun's children, listening on
// this host's address on the route to the other host, the other host's
// through the agent; all of them meet in one world with memberlist on.
func TestThisHostAndRemote(t *testing.T) {
	me, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	ssh := fakeSSH(t)
	res := gorun(t, "", "--ssh", ssh, "-H", me+":1,127.0.0.2:1", "sh", "-c", `echo "$GORUN_RANK $GORUN_HOST $GORUN_MEMBERLIST"`)
	l := lines(res.stdout)
	sort.Strings(l)
	if want := []string{"0 " + me + " 1", "1 127.0.0.2 1"}; res.code != 0 || !reflect.DeepEqual(l, want) {
		t.Errorf("exit %d, %q, want %q\n%s", res.code, l, want, res.stderr)
	}
	// A barrier first: examples/hello, which returns from comm.Init and
	// closes at once, can leave before a slower rank has joined memberlist,
	// which then fails that rank's Init (comm's bug, not the launcher's).
	res = gorun(t, "", "--ssh", ssh, "-H", me+":2,127.0.0.2:2", "-x", helperEnv+"=barrier", selfBin)
	l = lines(res.stdout)
	sort.Strings(l)
	if want := []string{"hello from rank 0 of 4", "hello from rank 1 of 4", "hello from rank 2 of 4", "hello from rank 3 of 4"}; res.code != 0 || !reflect.DeepEqual(l, want) {
		t.Errorf("hello on this host and another: exit %d, %q, want %q\n%s", res.code, l, want, res.stderr)
	}
}
