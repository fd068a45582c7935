package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gorun-hpc/gorun/launch"
)

// options are gorun's command line, in mpiexec's shape.
type options struct {
	n       int
	env     envFlags // -x
	tag     bool
	timeout time.Duration
	grace   time.Duration
	bind    string
	verbose bool
	cpus    int
	zstd    bool
	ft      bool          // --enable-recovery (Open MPI's --with-ft ulfm)
	hosts   []launch.Host // -H or --hostfile
	ssh     string        // --ssh
	nSet    bool          // -n or -np given
	place   placeOptions  // flags_place.go
	program string
	args    []string
	apps    []appOptions // MPMD parts after the first ':' (flags_place.go)
	// cleanups remove the MPMD programs built for this run (placeJob).
	cleanups []func() error
	iostats  iostatsFlags // iostats.go
}

const usageText = `usage: gorun [flags] -n N program [args...]

Runs program N times as one parallel job (ranks 0..N-1), like mpiexec.
program is an executable, a command in $PATH, a Go package directory
(./examples/hello) or a .go file; a package is built once with go build
and reused by the next run while its files stay unchanged.

Flags:
  -n, -np N          number of ranks (default 1)
  -x VAR[=value]     pass VAR (from gorun's environment, or the value given) to every rank;
                     repeatable. Ranks on this host inherit gorun's environment anyway.
  -l, --tag-output   prefix every output line with its rank: "[3] text"
  --timeout D        end the job after D (Go duration like 90s or 5m, or seconds): every
                     rank gets SIGQUIT and prints its goroutine stacks; exit code 124
  --grace D          after a rank fails, time the others get to exit before SIGKILL (default 2s)
  --bind ADDR        host/IP the ranks and the rendezvous listen on (GORUN_BIND); default
                     loopback for a one-host job
  --cpus-per-rank N   GOMAXPROCS of every rank; default: this host's CPUs divided among its
                     ranks (at least 1), as mpiexec binds one rank per core; -1: Go's default.
                     -x GOMAXPROCS=N or GOMAXPROCS in gorun's environment wins.
  --compress         zstd-compress messages of 64 KiB and more between ranks on different
                     hosts when that saves a tenth (pays on links of about 1 Gbit/s and slower)
  --enable-recovery  (or --keep-going) when a rank dies, keep the others running: they are told,
                     and go on with comm's Shrink (Open MPI 5's --with-ft ulfm); the exit
                     status is still the dead rank's
  -H, --host LIST    run on these hosts over ssh: h1:4,h2:4 (host:slots; slots default 1);
                     ranks fill each host's slots in order; -n defaults to the total slots
  --hostfile FILE    hosts from FILE, Open MPI's syntax: "host slots=N" lines, # comments
  --ssh CMD          ssh command and options for -H (default $GORUN_SSH, else ssh), e.g.
                     --ssh "ssh -i ~/.ssh/cluster -p 2222"; the remote hosts must have
                     gorun at the same path as here ($GORUN_AGENT overrides) and the program
  --iostats          at the end, report every rank's I/O on stderr: bytes written and read per
                     file and dataset, calls, direct or two-phase, time writing, reading,
                     filtering, on metadata and waiting; the slowest rank and why; collectives
  --iostats-json F   also write the report as JSON to F (implies --iostats)
  --iostats-svg F    also draw every rank's timeline of I/O and waiting as SVG in F
  -v                 say what gorun does (build, ranks started and exited) on stderr
` + placeUsage + `
stdin goes to rank 0, also on a remote host. SIGINT, SIGTERM, SIGHUP and SIGQUIT are
forwarded to every rank; a second one kills them. Exit status: 0 if every rank
exited 0; else the first failed rank's code (128+signal if it was killed), the
code given to Abort, 124 on timeout, 128+signal when gorun was interrupted.
`

// envFlags collects -x values as "VAR=value" entries.
type envFlags []string

func (e *envFlags) String() string { return strings.Join(*e, ",") }

func (e *envFlags) Set(v string) error {
	name, _, hasValue := strings.Cut(v, "=")
	if name == "" {
		return fmt.Errorf("-x %q: give VAR or VAR=value", v)
	}
	if hasValue {
		*e = append(*e, v)
		return nil
	}
	if val, ok := os.LookupEnv(name); ok {
		*e = append(*e, name+"="+val)
	}
	// Unset in gorun's environment: nothing to pass, as mpiexec does.
	return nil
}

// durationFlag accepts a Go duration ("90s") or a number of seconds ("90"),
// mpiexec's --timeout unit.
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return "0s"
	}
	return f.d.String()
}

func (f durationFlag) Set(v string) error {
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return errors.New("negative duration")
		}
		*f.d = time.Duration(secs * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q: give a duration like 90s or 5m, or seconds", v)
	}
	if d < 0 {
		return errors.New("negative duration")
	}
	*f.d = d
	return nil
}

// errHelp asks main to exit 0 after printing usage.
var errHelp = flag.ErrHelp

// parseFlags reads gorun's flags; the first non-flag argument is the
// program, everything after it belongs to the program.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{n: 1}
	args, parts := splitMPMD(args)
	fs := flag.NewFlagSet("gorun", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&o.n, "n", 1, "")
	fs.IntVar(&o.n, "np", 1, "")
	fs.Var(&o.env, "x", "")
	fs.BoolVar(&o.tag, "l", false, "")
	fs.BoolVar(&o.tag, "tag-output", false, "")
	fs.Var(durationFlag{&o.timeout}, "timeout", "")
	fs.Var(durationFlag{&o.grace}, "grace", "")
	fs.StringVar(&o.bind, "bind", "", "")
	fs.BoolVar(&o.verbose, "v", false, "")
	fs.IntVar(&o.cpus, "cpus-per-rank", 0, "")
	fs.BoolVar(&o.zstd, "compress", false, "")
	fs.BoolVar(&o.ft, "enable-recovery", false, "")
	fs.BoolVar(&o.ft, "keep-going", false, "")
	var hostList, hostfile string
	fs.StringVar(&hostList, "H", "", "")
	fs.StringVar(&hostList, "host", "", "")
	fs.StringVar(&hostfile, "hostfile", "", "")
	fs.StringVar(&hostfile, "machinefile", "", "")
	fs.StringVar(&o.ssh, "ssh", "", "")
	o.place.register(fs)
	o.iostats.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usageText)
			return nil, errHelp
		}
		return nil, fmt.Errorf("%w (gorun -h for help)", err)
	}
	fs.Visit(func(f *flag.Flag) { o.nSet = o.nSet || f.Name == "n" || f.Name == "np" })
	if err := o.readHosts(hostList, hostfile); err != nil {
		return nil, err
	}
	if err := o.place.check(); err != nil {
		return nil, err
	}
	if o.n < 1 {
		return nil, fmt.Errorf("-n %d: give at least 1 rank", o.n)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return nil, errors.New("no program given: gorun -n N program [args...] (gorun -h for help)")
	}
	o.program, o.args = rest[0], rest[1:]
	for i, part := range parts {
		a, err := parseApp(part, i)
		if err != nil {
			return nil, err
		}
		o.apps = append(o.apps, a)
	}
	return o, nil
}

// readHosts fills o.hosts from -H or --hostfile and makes -n default to
// their total slots, as mpiexec does.
func (o *options) readHosts(hostList, hostfile string) error {
	var err error
	switch {
	case hostList != "" && hostfile != "":
		return errors.New("-H and --hostfile: give one of them")
	case hostList != "":
		o.hosts, err = launch.ParseHosts(hostList)
	case hostfile != "":
		o.hosts, err = launch.ReadHostfile(hostfile)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	if !o.nSet {
		o.n = launch.TotalSlots(o.hosts)
	}
	return nil
}
