package netns

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Slurm is a real Slurm cluster over a Cluster's hosts: slurmctld on the
// first host, one slurmd on every host (each in its namespace, with its
// host name), sharing the machine's munged (its socket is a file, which
// every namespace sees) and a slurm.conf of the cluster's own, so it never
// meets the machine's one-node Slurm (.ci/slurm-setup.sh). Clients (srun,
// sbatch, salloc) run in the root namespace, as on a login node, with
// SLURM_CONF pointing at that file.
type Slurm struct {
	Conf string // slurm.conf; clients need SLURM_CONF=Conf (Env gives it)
	Dir  string // state, spool directories and logs
	c    *Cluster
}

// SlurmAvailable says why StartSlurm cannot work here ("" when it can).
func SlurmAvailable() string {
	if why := Available(); why != "" {
		return why
	}
	for _, p := range []string{"slurmctld", "slurmd", "srun", "sbatch", "salloc", "sinfo", "munge", "unmunge"} {
		if _, err := exec.LookPath(p); err != nil {
			return p + " not installed (apt-get install slurmd slurmctld slurm-client munge)"
		}
	}
	if out, err := exec.Command("sh", "-c", "munge -n | unmunge").CombinedOutput(); err != nil {
		return fmt.Sprintf("munged does not answer (.ci/slurm-setup.sh starts it): %v: %s", err, strings.TrimSpace(string(out)))
	}
	return ""
}

// StartSlurm starts slurmctld and the slurmds and returns once every node
// is idle. The daemons die with the cluster. It fails the test when Slurm
// or munge is missing: callers decide about skipping with SlurmAvailable.
func (c *Cluster) StartSlurm(t testing.TB) *Slurm {
	t.Helper()
	if why := SlurmAvailable(); why != "" {
		t.Fatalf("netns: slurm: %s", why)
	}
	s := &Slurm{c: c, Dir: filepath.Join(c.Dir, "slurm")}
	s.Conf = filepath.Join(s.Dir, "slurm.conf")
	for _, d := range []string{"ctld", "log"} {
		if err := os.MkdirAll(filepath.Join(s.Dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range c.Hosts {
		if err := os.MkdirAll(filepath.Join(s.Dir, "spool-"+h.Name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(s.Conf, []byte(s.conf()), 0o644); err != nil {
		t.Fatal(err)
	}
	// The daemons stay in the foreground (-D) as children of this process;
	// the cluster's close kills everything in its namespaces.
	start := func(i int, name string) {
		log, err := os.Create(filepath.Join(s.Dir, "log", name+"-"+c.Hosts[i].Name+".out"))
		if err != nil {
			t.Fatal(err)
		}
		defer log.Close()
		cmd := c.Command(context.Background(), i, name, "-D", "-f", s.Conf)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatalf("netns: start %s on %s: %v", name, c.Hosts[i].Name, err)
		}
		go func() { _ = cmd.Wait() }()
	}
	start(0, "slurmctld")
	for i := range c.Hosts {
		start(i, "slurmd")
	}
	t0 := time.Now()
	if err := s.waitIdle(90 * time.Second); err != nil {
		s.DumpLogs(t)
		t.Fatalf("netns: slurm: %v", err)
	}
	t.Logf("netns: slurm with %d nodes idle after %v", len(c.Hosts), time.Since(t0).Round(time.Millisecond))
	return s
}

// conf is the cluster's slurm.conf: every host a node with this machine's
// CPU count (slurmd drains a node that has fewer than promised), one
// partition, oversubscription allowed (tests run more tasks than the
// machine has cores), and a short SlurmdTimeout so a dead node is declared
// down in seconds, not minutes.
func (s *Slurm) conf() string {
	var b strings.Builder
	fmt.Fprintf(&b, `# Written by internal/netns for a test cluster of %d hosts.
ClusterName=gorunnetns%d
SlurmctldHost=%s(%s)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=%[5]s/ctld
SlurmdSpoolDir=%[5]s/spool-%%n
SlurmctldPidFile=%[5]s/slurmctld.pid
SlurmdPidFile=%[5]s/spool-%%n/slurmd.pid
SlurmctldLogFile=%[5]s/log/slurmctld.log
SlurmdLogFile=%[5]s/log/slurmd-%%n.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
InactiveLimit=0
KillWait=2
MinJobAge=300
SlurmdTimeout=10
MessageTimeout=5
`, len(s.c.Hosts), s.c.id, s.c.Hosts[0].Name, s.c.Hosts[0].Addr, s.Dir)
	var names []string
	for _, h := range s.c.Hosts {
		fmt.Fprintf(&b, "NodeName=%s NodeAddr=%s CPUs=%d RealMemory=1000 State=UNKNOWN\n", h.Name, h.Addr, runtime.NumCPU())
		names = append(names, h.Name)
	}
	fmt.Fprintf(&b, "PartitionName=test Nodes=%s Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:64\n", strings.Join(names, ","))
	return b.String()
}

// Env is this process's environment with SLURM_CONF set to the cluster's.
func (s *Slurm) Env() []string {
	return append(os.Environ(), "SLURM_CONF="+s.Conf)
}

// Command prepares a Slurm client command (srun, sbatch, salloc, sinfo,
// scontrol...) against this cluster, run in the root namespace.
func (s *Slurm) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = s.Env()
	return cmd
}

// JobState is job id's state as scontrol shows it (RUNNING, COMPLETED,
// NODE_FAIL, ...), "" when Slurm does not know the job.
func (s *Slurm) JobState(id string) string {
	out, err := s.Command(context.Background(), "scontrol", "show", "job", "-o", id).Output()
	if err != nil {
		return ""
	}
	for _, f := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(f, "JobState="); ok {
			return v
		}
	}
	return ""
}

// waitIdle waits until sinfo reports every node idle.
func (s *Slurm) waitIdle(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last string
	for time.Now().Before(deadline) {
		out, err := s.Command(context.Background(), "sinfo", "-h", "-N", "-o", "%N %t").CombinedOutput()
		last = strings.TrimSpace(string(out))
		if err == nil {
			idle := 0
			for _, line := range strings.Split(last, "\n") {
				if f := strings.Fields(line); len(f) == 2 && strings.HasPrefix(f[1], "idle") {
					idle++
				}
			}
			if idle == len(s.c.Hosts) {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond) // polling an outside daemon: no event to wait on
	}
	return fmt.Errorf("not every node is idle after %v; sinfo says:\n%s", limit, last)
}

// DumpLogs writes the daemons' logs to the test log (after a failure).
func (s *Slurm) DumpLogs(t testing.TB) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(s.Dir, "log", "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		t.Logf("%s:\n%s", filepath.Base(f), b)
	}
}
