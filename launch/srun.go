package launch

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// RemoteVia is how the launcher starts a rank on another host.
type RemoteVia int

const (
	// RemoteSSH: one ssh session per remote rank runs `gorun --agent`.
	RemoteSSH RemoteVia = iota
	// RemoteSrun: inside a Slurm allocation, one `srun` job step per
	// remote rank runs `gorun --agent` on its node. Slurm then accounts
	// the rank to the job, confines it to the allocation and kills it
	// when the allocation ends, and no ssh access to the nodes is needed.
	// The agent, its stdin protocol and its signals are the same as over
	// ssh: srun forwards the step's stdin, stdout and stderr and the
	// signals it gets.
	RemoteSrun
)

// ParseRemoteVia reads gorun's --launcher value: srun or ssh.
func ParseRemoteVia(s string) (RemoteVia, error) {
	switch strings.ToLower(s) {
	case "ssh", "rsh":
		return RemoteSSH, nil
	case "srun", "slurm":
		return RemoteSrun, nil
	}
	return 0, fmt.Errorf("--launcher %q: give srun or ssh", s)
}

func (v RemoteVia) String() string {
	if v == RemoteSrun {
		return "srun"
	}
	return "ssh"
}

// srunArgs is the srun command line that runs agent on host as one task
// of a new job step:
//
//   - --overlap: the step shares the allocation's CPUs and memory with
//     the others (one step per rank; without it the second step on a
//     node waits for the first to end once the node's CPUs are taken);
//   - -N1 -n1 -w host: one task, on that node;
//   - -c cpus: the task may use every CPU the allocation has on that
//     node (where Slurm confines steps to their CPUs, one CPU each would
//     put every rank of the node on the same one); GOMAXPROCS and
//     --bind-to then share them out as on the launcher's host;
//   - --kill-on-bad-exit=0: the launcher, not srun, ends the job when a
//     rank fails (the rank's exit status comes back as srun's);
//   - --mpi=none: no PMI is set up for a program that does not use it;
//   - --input=0: the launcher's control records reach the agent;
//   - -Q: srun's own informational lines would mix into the job's output.
func srunArgs(host string, cpus int, agent string) []string {
	a := []string{"srun", "--overlap", "-N1", "-n1", "-w", host}
	if cpus > 0 {
		a = append(a, "-c", strconv.Itoa(cpus))
	}
	return append(a, "--kill-on-bad-exit=0", "--mpi=none", "--input=0", "-Q", "--", agent, "--agent")
}

// srunCmd is the job step that runs the agent on host.
func srunCmd(host string, cpus int, agent string) *exec.Cmd {
	a := srunArgs(host, cpus, agent)
	return exec.Command(a[0], a[1:]...)
}
