package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorun-hpc/gorun/launch"
)

// placeOptions are the flags that say where ranks run and what they see,
// in Open MPI's spelling: placement (--map-by, --npernode,
// --oversubscribe), binding (--bind-to, --report-bindings), output files
// (--output-filename), the working directory (--wdir) and how remote ranks
// start (--launcher). The batch system's allocation (Slurm, PBS) fills in
// the hosts when neither -H nor --hostfile is given (allocation below).
type placeOptions struct {
	mapBy     launch.MapBy
	perNode   int
	oversub   bool
	bindTo    launch.BindTo
	report    bool
	output    launch.OutputFiles
	wdir      string
	via       launch.RemoteVia
	viaSet    bool   // --launcher given: every rank starts through it
	allocFrom string // "Slurm" or "PBS" when the hosts came from the allocation
	stepCPUs  map[string]int
}

const placeUsage = `  --map-by slot|node  fill each host's slots in turn (slot, the default) or deal ranks
                     out one host at a time (node)
  --npernode N       N ranks on every host (-n defaults to N x hosts)
  --oversubscribe    allow more ranks than slots
  --bind-to core|hwthread|none  pin each rank to cores (or hardware threads) of its own
                     (sched_setaffinity; --cpus-per-rank N gives N each); default none
  --report-bindings  print each rank's binding on stderr, as Open MPI does
  --output-filename DIR[:nocopy]  also write each rank's stdout and stderr to
                     DIR/1/rank.N/stdout and .../stderr (Open MPI 4's layout); nocopy:
                     only to the files
  --wdir DIR         working directory of the ranks (also -wdir, --wd)
  --launcher srun|ssh  start every rank, this host's too, with srun or ssh (default: this
                     host's ranks directly, others with srun inside a Slurm allocation,
                     else ssh)
  prog1 : -n M prog2 MPMD: several programs in one world, ranks numbered in order;
                     each part may have its own -n, -x and --wdir

Inside a Slurm allocation (salloc, sbatch) without -H or --hostfile, the ranks run on
the allocated nodes (SLURM_JOB_NODELIST, SLURM_TASKS_PER_NODE) and -n defaults to
SLURM_NTASKS; under PBS/Torque they run on the hosts of $PBS_NODEFILE.
`

// register adds the flags to fs.
func (p *placeOptions) register(fs *flag.FlagSet) {
	fs.Func("map-by", "", func(v string) (err error) { p.mapBy, err = launch.ParseMapBy(v); return })
	fs.IntVar(&p.perNode, "npernode", 0, "")
	fs.BoolVar(&p.oversub, "oversubscribe", false, "")
	fs.Func("bind-to", "", func(v string) (err error) { p.bindTo, err = launch.ParseBindTo(v); return })
	fs.BoolVar(&p.report, "report-bindings", false, "")
	fs.Func("output-filename", "", func(v string) (err error) { p.output, err = launch.ParseOutputFilename(v); return })
	for _, name := range []string{"wdir", "wd"} {
		fs.StringVar(&p.wdir, name, "", "")
	}
	fs.Func("launcher", "", func(v string) (err error) {
		p.via, err = launch.ParseRemoteVia(v)
		p.viaSet = err == nil
		return
	})
}

// check rejects values the flag parser cannot.
func (p *placeOptions) check() error {
	if p.perNode < 0 {
		return fmt.Errorf("--npernode %d: give at least 1", p.perNode)
	}
	if p.wdir != "" {
		fi, err := os.Stat(p.wdir)
		if err != nil {
			return fmt.Errorf("--wdir: %w", err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("--wdir %s: not a directory", p.wdir)
		}
	}
	return nil
}

// allocation fills in the hosts from the batch system when the command
// line gives none (DetectAllocation reads getenv), makes -n default to
// what the allocation or --npernode says, and picks how remote ranks
// start.
func (o *options) allocation(getenv func(string) string) error {
	p := &o.place
	if o.hosts == nil {
		a, err := launch.DetectAllocation(getenv)
		if err != nil {
			return err
		}
		if a != nil {
			o.hosts, p.allocFrom = a.Hosts, a.From
			if !o.nSet {
				o.n = a.Ranks
			}
			if a.Srun && !p.viaSet {
				p.via = launch.RemoteSrun
			}
			p.stepCPUs = a.CPUs
		}
	}
	if p.perNode > 0 {
		if o.hosts == nil {
			// One host, this one: --npernode N is -n N here.
			o.hosts = []launch.Host{{Name: "localhost", Slots: p.perNode}}
		}
		if !o.nSet {
			o.n = p.perNode * len(o.hosts)
		}
	}
	if p.viaSet && o.hosts == nil {
		return fmt.Errorf("--launcher %s: no hosts to start ranks on: give -H, --hostfile, or run inside an allocation", p.via)
	}
	return nil
}

// appOptions is one part of an MPMD command line after a ':'.
type appOptions struct {
	n       int
	env     envFlags
	wdir    string
	program string
	args    []string
}

// splitMPMD cuts the command line at its ':' arguments: the first part
// holds gorun's flags and the first program, each later part a program of
// its own with its own -n, -x and --wdir.
func splitMPMD(args []string) (first []string, rest [][]string) {
	parts := [][]string{nil}
	for _, a := range args {
		if a == ":" {
			parts = append(parts, nil)
			continue
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], a)
	}
	return parts[0], parts[1:]
}

// parseApp reads one MPMD part: "-n 3 -x A=1 ./b args".
func parseApp(args []string, index int) (appOptions, error) {
	a := appOptions{n: 1}
	fs := flag.NewFlagSet("gorun", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&a.n, "n", 1, "")
	fs.IntVar(&a.n, "np", 1, "")
	fs.Var(&a.env, "x", "")
	for _, name := range []string{"wdir", "wd"} {
		fs.StringVar(&a.wdir, name, "", "")
	}
	if err := fs.Parse(args); err != nil {
		return a, fmt.Errorf("program %d of the MPMD command line (after ':' %d): %w (there, only -n, -x and --wdir)", index+1, index, err)
	}
	if a.n < 1 {
		return a, fmt.Errorf("program %d of the MPMD command line: -n %d: give at least 1 rank", index+1, a.n)
	}
	if fs.NArg() == 0 {
		return a, fmt.Errorf("program %d of the MPMD command line: no program after ':'", index+1)
	}
	a.program, a.args = fs.Arg(0), fs.Args()[1:]
	return a, nil
}

// absDir makes a --wdir absolute against gorun's directory, so a
// relative program path and the directory do not depend on each other.
func absDir(d string) string {
	if d == "" {
		return ""
	}
	if abs, err := filepath.Abs(d); err == nil {
		return abs
	}
	return d
}

// placeJob puts the placement options and the MPMD parts into job:
// every later program is resolved (built if a Go package) as the first
// was, and removed with it when gorun ends.
func (o *options) placeJob(ctx context.Context, job *launch.Job) error {
	p := &o.place
	job.Mapping = launch.Mapping{By: p.mapBy, PerNode: p.perNode, Oversubscribe: p.oversub}
	job.BindTo, job.ReportBindings, job.Output = p.bindTo, p.report, p.output
	job.Dir = absDir(p.wdir)
	job.Path = absProgram(job.Path)
	job.Remote.Via, job.Remote.All, job.Remote.StepCPUs = p.via, p.viaSet, p.stepCPUs
	if len(o.apps) == 0 {
		return nil
	}
	job.Apps = []launch.App{{Size: job.Size, Path: job.Path, Args: job.Args, Argv0: job.Argv0}}
	for _, a := range o.apps {
		prog, err := launch.Resolve(ctx, a.program, os.Stderr)
		if err != nil {
			return err
		}
		o.cleanups = append(o.cleanups, prog.Cleanup)
		job.Apps = append(job.Apps, launch.App{Size: a.n, Path: absProgram(prog.Path), Args: a.args, Argv0: a.program, Dir: absDir(a.wdir), Extra: a.env})
	}
	return nil
}

// absProgram makes a program path with a directory part ("./sim")
// absolute against gorun's directory: a rank started in --wdir would
// otherwise look for it there. A bare name stays for $PATH.
func absProgram(path string) string {
	if !strings.ContainsRune(path, filepath.Separator) {
		return path
	}
	return absDir(path)
}
