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
	// RemoteSSH: one ssh session per remote host runs `gorun --agent`
	// there, which starts that host's ranks (node.go).
	RemoteSSH RemoteVia = iota
	// RemoteSrun: inside a Slurm allocation, one `srun` job step per
	// node runs `gorun --agent` there, which starts all of that node's
	// ranks (node.go; decision 40). Slurm then accounts the ranks to the
	// job, confines them to the allocation and kills them when the
	// allocation ends, and no ssh access to the nodes is needed. srun
	// forwards the step's stdin (the launcher's records), its stdout (the
	// ranks' output and exits, as records) and the signals it gets.
	RemoteSrun
)

// ParseRemoteVia reads gorun's --launcher value: srun or ssh (also
// slurm, and Open MPI's rsh).
func ParseRemoteVia(s string) (RemoteVia, error) {
	switch strings.ToLower(s) {
	case "ssh", "rsh":
		return RemoteSSH, nil
	case "srun", "slurm":
		return RemoteSrun, nil
	}
	return 0, fmt.Errorf("--launcher %q: give srun or ssh", s)
}

// String is the --launcher value that selects v.
func (v RemoteVia) String() string {
	if v == RemoteSrun {
		return "srun"
	}
	return "ssh"
}

// srunArgs is the srun command line that runs agent on host as one task
// of a new job step, the node's agent:
//
//   - --overlap: the step shares the allocation's CPUs and memory with
//     the others (the launcher's own step, when it runs inside one, and
//     other jobs' steps of the user in the allocation);
//   - -N1 -n1 -w host: one task, on that node;
//   - -c cpus: the task, and so the node's ranks, may use every CPU the
//     allocation has on that node (where Slurm confines steps to their
//     CPUs, one CPU would put every rank of the node on it); GOMAXPROCS
//     and --bind-to then share them out as on the launcher's host;
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
