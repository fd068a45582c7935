package comm

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestSlurmFirstHost(t *testing.T) {
	for _, tc := range []struct{ list, want string }{
		{"vm", "vm"},
		{"node[03-05,9],gpu1", "node03"},
		{"gpu1,node[1-2]", "gpu1"},
		{"n[7],m", "n7"},
		{"rack[2]-n[1-3]", "rack2-n[1-3]"},
	} {
		got, err := firstHost(tc.list)
		if err != nil || got != tc.want {
			t.Errorf("firstHost(%q) = %q, %v; want %q", tc.list, got, err, tc.want)
		}
	}
	if _, err := firstHost("node[1-3"); !errors.Is(err, ErrBootstrap) {
		t.Errorf("firstHost of a malformed list: %v, want ErrBootstrap", err)
	}
}

func TestSlurmJob(t *testing.T) {
	base := map[string]string{"SLURM_NTASKS": "4", "SLURM_PROCID": "2", "SLURM_JOB_ID": "17",
		"SLURM_STEP_ID": "1", "SLURM_STEP_NODELIST": "node[1-2]", "HOME": t.TempDir()}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		name   string
		env    map[string]string
		ok     bool
		errIs  error
		rv     string
		rank   int
		inSize int
	}{
		{"no slurm", map[string]string{}, false, nil, "", 0, 0},
		{"task", base, true, nil, "node1:21089", 2, 4},
		{"rank out of range", with("SLURM_PROCID", "4"), true, ErrBootstrap, "", 0, 0},
		{"no job id", with("SLURM_JOB_ID", ""), true, ErrBootstrap, "", 0, 0},
		{"missing key file", with("GORUN_SLURM_KEY_FILE", "/nonexistent/key"), true, ErrBootstrap, "", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rank, size, job, rv, ok, err := slurmJob(envOf(tc.env))
			if ok != tc.ok || !errors.Is(err, tc.errIs) || (tc.errIs == nil && err != nil) {
				t.Fatalf("ok=%v err=%v; want ok=%v err %v", ok, err, tc.ok, tc.errIs)
			}
			if err == nil && ok && (rank != tc.rank || size != tc.inSize || rv != tc.rv || job.ID != "slurm-17.1" || len(job.Secret) != 32) {
				t.Errorf("got rank %d size %d rv %q job %+v", rank, size, rv, job)
			}
		})
	}
}

// TestSlurmKey: the key file changes the secret, and a key file others can
// read is refused.
func TestSlurmKey(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SLURM_NTASKS": "2", "SLURM_PROCID": "0", "SLURM_JOB_ID": "5",
		"SLURM_STEP_ID": "0", "SLURM_STEP_NODELIST": "vm", "HOME": dir}
	_, _, plain, _, _, err := slurmJob(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, ".gorun", "slurm.key")
	if err := os.MkdirAll(filepath.Dir(key), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, []byte("0123456789abcdef"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, keyed, _, _, err := slurmJob(envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(plain.Secret, keyed.Secret) {
		t.Error("the key file did not change the secret")
	}
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, _, err := slurmJob(envOf(env)); !errors.Is(err, ErrBootstrap) || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable key file: %v, want ErrBootstrap saying chmod 600", err)
	}
}

// FuzzSlurmNodeList: Slurm's variables are input; no node list panics.
func FuzzSlurmNodeList(f *testing.F) {
	for _, s := range []string{"vm", "node[03-05,9],gpu1", "a[", "]", "[]", "a[1-2]b[3]"} {
		f.Add(s, "2(x3),1")
	}
	f.Fuzz(func(t *testing.T, list, perNode string) {
		_, _ = firstHost(list)
		_ = slurmLocalTasks(envOf(map[string]string{"SLURM_STEP_TASKS_PER_NODE": perNode, "SLURM_NODEID": "1"}))
	})
}

func TestSlurmMembers(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		on   bool
		host string
	}{
		{map[string]string{}, false, ""},
		{map[string]string{"SLURM_STEP_NUM_NODES": "1", "SLURM_NNODES": "3"}, false, ""},
		{map[string]string{"SLURM_STEP_NUM_NODES": "3", "SLURMD_NODENAME": "n7"}, true, "n7"},
		{map[string]string{"SLURM_NNODES": "2", "SLURMD_NODENAME": "a"}, true, "a"},
		{map[string]string{"SLURM_STEP_NUM_NODES": "x"}, false, ""},
	} {
		on, host := slurmMembers(func(k string) string { return tc.env[k] })
		if on != tc.on || host != tc.host {
			t.Errorf("slurmMembers(%v) = %v, %q; want %v, %q", tc.env, on, host, tc.on, tc.host)
		}
	}
}
