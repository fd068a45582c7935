package comm

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// Under srun without gorun there is no launcher: rank 0 serves the
// rendezvous itself, on the first host of the step's node list, at a port
// every task derives from the job and step ids, so no task needs to be
// told where it is.
//
// Nor is there anyone to hand out a random secret, so every task derives
// the same one: SHA-256 of the job id, step id and user id, plus the
// contents of a key file when one exists ($GORUN_SLURM_KEY_FILE, or
// ~/.gorun/slurm.key; it must be mode 0600 or stricter and identical on
// every node, which a shared home directory gives). What the handshake then
// proves:
//   - without the key file: only that the peer is a task of the same job
//     step (the ids are public: squeue shows them to everyone). It keeps
//     stale tasks of an earlier step and other jobs on the same port out,
//     but not a hostile user on the cluster who computes the secret;
//   - with the key file: also that the peer can read the user's key file,
//     i.e. runs as that user (or root). Create it once with
//     `mkdir -p ~/.gorun && head -c 32 /dev/urandom >~/.gorun/slurm.key &&
//     chmod 600 ~/.gorun/slurm.key`.
//
// Munge is not used: it would need libmunge (cgo) or the munge/unmunge
// commands on every node; rank 0 checking a munge credential in each
// registration would prove the uid without a key file (not done).
//
// The ports are 20000-31999: below Linux's default ephemeral range
// (32768-60999), so an outgoing connection on the node rarely holds the
// port a step needs; a port taken anyway gives rank 0 an error naming it.
const (
	slurmPortBase  = 20000
	slurmPortRange = 12000
)

// slurmJob reads the SLURM_* variables through getenv; ok is false when
// they do not describe a task of a step.
func slurmJob(getenv func(string) string) (rank, size int, job rendezvous.Job, rv string, ok bool, err error) {
	size, err1 := strconv.Atoi(getenv("SLURM_NTASKS"))
	rank, err2 := strconv.Atoi(getenv("SLURM_PROCID"))
	if err1 != nil || (err2 != nil && size <= 1) {
		return 0, 0, rendezvous.Job{}, "", false, nil
	}
	jobID, stepID := getenv("SLURM_JOB_ID"), getenv("SLURM_STEP_ID")
	nodes := getenv("SLURM_STEP_NODELIST")
	if nodes == "" {
		nodes = getenv("SLURM_NODELIST")
	}
	if size < 1 || rank < 0 || rank >= size || jobID == "" || nodes == "" {
		return 0, 0, rendezvous.Job{}, "", true, fmt.Errorf("comm: SLURM_NTASKS=%q SLURM_PROCID=%q SLURM_JOB_ID=%q and a node list are needed to start under srun: %w",
			getenv("SLURM_NTASKS"), getenv("SLURM_PROCID"), jobID, ErrBootstrap)
	}
	host, err := firstHost(nodes)
	if err != nil {
		return 0, 0, rendezvous.Job{}, "", true, err
	}
	j, _ := strconv.Atoi(jobID)
	s, _ := strconv.Atoi(stepID)
	port := slurmPortBase + (j*64+s)%slurmPortRange
	env, err := rendezvous.ParseEnv(getenv)
	if err != nil {
		return 0, 0, rendezvous.Job{}, "", true, fmt.Errorf("comm: %v: %w", err, ErrBootstrap)
	}
	key, err := slurmKey(env.SlurmKeyFile, getenv("HOME"))
	if err != nil {
		return 0, 0, rendezvous.Job{}, "", true, err
	}
	sum := sha256.Sum256(append([]byte("gorun-slurm\x00"+jobID+"\x00"+stepID+"\x00"+strconv.Itoa(os.Getuid())+"\x00"), key...))
	job = rendezvous.Job{ID: "slurm-" + jobID + "." + stepID, Secret: sum[:], Size: size}
	return rank, size, job, net.JoinHostPort(host, strconv.Itoa(port)), true, nil
}

// slurmKey reads the optional per-user key mixed into the srun job secret
// (see the comment above slurmPortBase): the file named (by
// GORUN_SLURM_KEY_FILE), else home's .gorun/slurm.key; nil when there is
// none.
func slurmKey(named, home string) ([]byte, error) {
	path := named
	if path == "" {
		if home == "" {
			return nil, nil
		}
		path = filepath.Join(home, ".gorun", "slurm.key")
	}
	fi, err := os.Stat(path)
	if err != nil {
		if named == "" && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("comm: the srun key file: %v (unset GORUN_SLURM_KEY_FILE or create it): %w", err, ErrBootstrap)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("comm: the srun key file %s is readable by others (mode %v): run chmod 600 %s: %w", path, fi.Mode().Perm(), path, ErrBootstrap)
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("comm: the srun key file: %v: %w", err, ErrBootstrap)
	}
	return key, nil
}

// firstHost is the first host of a Slurm host list such as
// "node[03-05,9],gpu1": here "node03".
func firstHost(list string) (string, error) {
	head, depth := list, 0
	for i, ch := range list {
		if ch == '[' {
			depth++
		} else if ch == ']' {
			depth--
		} else if ch == ',' && depth == 0 {
			head = list[:i]
			break
		}
	}
	open := strings.IndexByte(head, '[')
	if open < 0 {
		return head, nil
	}
	end := strings.IndexByte(head[open:], ']')
	if end < 0 {
		return "", fmt.Errorf("comm: malformed Slurm node list %q: %w", list, ErrBootstrap)
	}
	first := head[open+1 : open+end]
	if i := strings.IndexAny(first, ",-"); i >= 0 {
		first = first[:i]
	}
	return head[:open] + first + head[open+end+1:], nil
}

// slurmLocalTasks is how many tasks of this step run on this node, from
// SLURM_STEP_TASKS_PER_NODE ("4", or "2(x3),1" for nodes 0-2 with 2 and
// node 3 with 1) and SLURM_NODEID; 0 when unknown.
func slurmLocalTasks(getenv func(string) string) int {
	node, err := strconv.Atoi(getenv("SLURM_NODEID"))
	if err != nil {
		node = 0
	}
	for _, f := range strings.Split(getenv("SLURM_STEP_TASKS_PER_NODE"), ",") {
		n, reps := f, 1
		if i := strings.Index(f, "(x"); i > 0 && strings.HasSuffix(f, ")") {
			n = f[:i]
			if r, err := strconv.Atoi(f[i+2 : len(f)-1]); err == nil {
				reps = r
			}
		}
		k, err := strconv.Atoi(n)
		if err != nil {
			return 0
		}
		if node < reps {
			return k
		}
		node -= reps
	}
	return 0
}

// slurmProcs shares this node's CPUs among the step's tasks on it, as gorun
// does (launch/procs.go), unless the user or Slurm already chose:
// GOMAXPROCS set, or SLURM_CPUS_PER_TASK (then Slurm's binding, if any,
// already limits what Go sees).
func slurmProcs(getenv func(string) string) {
	if getenv("GOMAXPROCS") != "" || getenv("SLURM_CPUS_PER_TASK") != "" {
		return
	}
	if n := slurmLocalTasks(getenv); n > 1 {
		runtime.GOMAXPROCS(max(1, runtime.NumCPU()/n))
	}
}

// slurmMembers says whether a step's tasks run a memberlist (members.go)
// and under which host name: when the step spans several nodes, as gorun
// does for a multi-host job. A node that drops off the network or hangs
// closes no socket; without it its peers would wait in a receive until
// Slurm declares the node down and kills the job (SlurmdTimeout, minutes
// on most clusters), and no task would say which ranks were lost.
func slurmMembers(getenv func(string) string) (on bool, host string) {
	nodes := getenv("SLURM_STEP_NUM_NODES")
	if nodes == "" {
		nodes = getenv("SLURM_NNODES")
	}
	if n, err := strconv.Atoi(nodes); err != nil || n < 2 {
		return false, ""
	}
	return true, getenv("SLURMD_NODENAME")
}

// initSlurm starts a task of an srun step: rank 0 also serves the
// rendezvous, which lives until its world communicator closes.
func initSlurm(ctx context.Context, cfg Config, rank int, job rendezvous.Job, rv string) (*Comm, error) {
	slurmProcs(os.Getenv)
	cfg.memberlist, cfg.host = slurmMembers(os.Getenv)
	var svc *rendezvous.Server
	if rank == 0 {
		_, port, _ := net.SplitHostPort(rv)
		ln, err := net.Listen("tcp", net.JoinHostPort(cfg.BindAddr, port))
		if err != nil {
			return nil, fmt.Errorf("comm: rank 0 cannot serve the srun rendezvous on port %s: %v (another step on this node? set GORUN_BIND or launch with gorun): %w", port, err, ErrBootstrap)
		}
		svc = rendezvous.NewServer(ln, job, cfg.Logger)
		svc.ReportLoss = true
		go func() { _ = svc.Serve(context.Background()) }()
	}
	c, err := join(ctx, cfg, job, rank, rv)
	if svc != nil {
		if err != nil {
			svc.Close()
		} else {
			c.w.svc = svc
		}
	}
	return c, err
}
