package launch

import (
	"fmt"
	"net"
	"os"
)

// Allocation is what a batch system gave the job gorun runs in: the
// hosts with their slots (tasks) and the number of ranks to start when
// the user gives no -n, as mpirun reads them inside `salloc`, `sbatch` or
// `qsub`.
type Allocation struct {
	Hosts []Host
	Ranks int    // the allocation's task count: every slot unless Slurm's SLURM_NTASKS says fewer
	From  string // "Slurm" or "PBS", for messages
	// Srun: the allocation is Slurm's, so ranks on other hosts are
	// started with srun (RemoteSrun), which Slurm tracks and cleans up.
	Srun bool
	// CPUs is the number of CPUs the allocation has on each node, when
	// Slurm says (SLURM_JOB_CPUS_PER_NODE): each srun step gets them all
	// (Remote.StepCPUs), and the ranks share them as on this host.
	CPUs map[string]int
}

// DetectAllocation reads the allocation from the environment (getenv is
// os.Getenv, or a test's map): Slurm's SLURM_JOB_NODELIST and
// SLURM_TASKS_PER_NODE first, then PBS/Torque's PBS_NODEFILE. It returns
// nil, nil outside an allocation, and an error when the variables are
// there but malformed (a silent fallback to one host would run the job at
// the wrong size).
//
// Inside a Slurm job step (SLURM_STEP_ID is set: gorun itself was started
// by srun, as in `srun -N1 -n1 gorun -n 8 ./sim`) the allocation is not
// gorun's to fill: the step placed gorun, and its ranks run here, as
// without an allocation. A batch script (sbatch) or salloc's shell is not
// a step.
func DetectAllocation(getenv func(string) string) (*Allocation, error) {
	if getenv("SLURM_STEP_ID") != "" {
		return nil, nil
	}
	hosts, ntasks, cpus, ok, err := slurmHosts(getenv)
	if err != nil {
		return nil, fmt.Errorf("launch: reading the Slurm allocation: %w", err)
	}
	if ok {
		a := &Allocation{Hosts: hosts, Ranks: TotalSlots(hosts), From: "Slurm", Srun: true, CPUs: cpus}
		if ntasks > 0 && ntasks < a.Ranks {
			a.Ranks = ntasks
		}
		return a, nil
	}
	if path := getenv("PBS_NODEFILE"); path != "" {
		hosts, err := ReadPBSNodefile(path)
		if err != nil {
			return nil, fmt.Errorf("launch: reading the PBS allocation: %w", err)
		}
		return &Allocation{Hosts: hosts, Ranks: TotalSlots(hosts), From: "PBS"}, nil
	}
	return nil, nil
}

// thisHost reports whether name is this machine: localhost, or its host
// name, short or full (Slurm's node lists use the short one).
func thisHost(name string) bool {
	if isLocalName(name) {
		return true
	}
	h, err := os.Hostname()
	if err != nil {
		return false
	}
	return sameHostName(name, h)
}

// sameHostName compares host names as a node list and os.Hostname give
// them: "node1" is "node1.cluster" (either may be the short form).
func sameHostName(a, b string) bool {
	if a == b {
		return true
	}
	short := func(s string) string {
		for i := 0; i < len(s); i++ {
			if s[i] == '.' {
				return s[:i]
			}
		}
		return s
	}
	// Only names, not addresses: "10.0.0.1" is not "10.0.0.2".
	if isAddr(a) || isAddr(b) {
		return false
	}
	return short(a) == short(b)
}

// isAddr reports whether s is an IP address rather than a name.
func isAddr(s string) bool { return net.ParseIP(s) != nil }
