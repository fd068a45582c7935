package launch_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gorun-hpc/gorun/launch"
)

// Slurm writes node lists compressed; ExpandHostlist gives the nodes in
// the allocation's order.
func ExampleExpandHostlist() {
	nodes, err := launch.ExpandHostlist("node[01-03,07],gpu1")
	fmt.Println(nodes, err)
	// Output: [node01 node02 node03 node07 gpu1] <nil>
}

// SLURM_TASKS_PER_NODE gives one count per node, repeats as (xN).
func ExampleExpandTasksPerNode() {
	tasks, err := launch.ExpandTasksPerNode("2(x3),1")
	fmt.Println(tasks, err)
	// Output: [2 2 2 1] <nil>
}

// Inside `salloc -N 2 -n 3` the allocation is two nodes with their
// tasks; gorun makes them Job.Hosts and -n's default.
func ExampleDetectAllocation() {
	env := map[string]string{
		"SLURM_JOB_NODELIST":   "cn[7-8]",
		"SLURM_TASKS_PER_NODE": "2,1",
		"SLURM_NTASKS":         "3",
	}
	a, err := launch.DetectAllocation(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.From, a.Hosts, a.Ranks, a.Srun)
	// Output: Slurm [{cn7 2} {cn8 1}] 3 true
}

// A PBS/Torque node file names a host once per slot.
func ExampleReadPBSNodefile() {
	path := filepath.Join(os.TempDir(), "example_pbs_nodefile")
	_ = os.WriteFile(path, []byte("n1\nn1\nn2\n"), 0o644)
	defer os.Remove(path)
	hosts, err := launch.ReadPBSNodefile(path)
	fmt.Println(hosts, err)
	// Output: [{n1 2} {n2 1}] <nil>
}

// An MPMD job: two programs, one world. Ranks are numbered in the order
// of the Apps, and each learns its App's index from GORUN_APPNUM.
func ExampleApp() {
	var out strings.Builder
	job := launch.Job{
		Apps: []launch.App{
			{Size: 1, Path: "/bin/sh", Args: []string{"-c", `echo "coordinator $GORUN_RANK of $GORUN_SIZE"`}},
			{Size: 2, Path: "/bin/sh", Args: []string{"-c", `echo "worker $GORUN_RANK of $GORUN_SIZE, program ${GORUN_APPNUM}"`}},
		},
		Stdout: &out,
	}
	if err := launch.Run(context.Background(), job); err != nil {
		fmt.Println(err)
	}
	fmt.Print(sortLines(out.String()))
	// Output:
	// coordinator 0 of 3
	// worker 1 of 3, program 1
	// worker 2 of 3, program 1
}

// ParseMapBy, ParseBindTo, ParseOutputFilename and ParseRemoteVia read
// gorun's --map-by, --bind-to, --output-filename and --launcher values
// for a Job.
func ExampleMapping() {
	by, _ := launch.ParseMapBy("node")
	bind, _ := launch.ParseBindTo("core")
	out, _ := launch.ParseOutputFilename("/tmp/run1:nocopy")
	via, _ := launch.ParseRemoteVia("srun")
	job := launch.Job{
		Size:    4,
		Hosts:   []launch.Host{{Name: "n1", Slots: 2}, {Name: "n2", Slots: 2}},
		Mapping: launch.Mapping{By: by},
		BindTo:  bind,
		Output:  out,
		Remote:  launch.Remote{Via: via},
	}
	fmt.Println(job.Mapping.By, job.Mapping.Slots(job.Hosts), job.BindTo, job.Output.Dir, job.Output.NoCopy, job.Remote.Via)
	// Output: node 4 core /tmp/run1 true srun
}

// sortLines orders the lines of the ranks' output, which arrive in any order.
func sortLines(s string) string {
	l := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	slices.Sort(l)
	return strings.Join(l, "\n") + "\n"
}
