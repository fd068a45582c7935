package launch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

// Job describes one parallel run of a program. Only Size and Path are
// required; every other field has a working zero value.
type Job struct {
	Size  int      // number of ranks, at least 1
	Path  string   // the executable (see Resolve to build a Go package first)
	Args  []string // arguments after the program name
	Argv0 string   // argv[0] the ranks see; "" = Path
	Dir   string   // working directory of the ranks; "" = the launcher's

	// Env is the environment every rank starts from; nil means the
	// launcher's own (os.Environ()). GORUN_* variables in it are replaced
	// by this job's. Extra entries ("VAR=value", as from -x) come last and
	// win over Env.
	Env   []string
	Extra []string

	// Bind is the host or IP the ranks listen on for peer traffic (passed
	// as GORUN_BIND) and the rendezvous service listens on. "" means
	// loopback for the rendezvous and, for the ranks, the local address of
	// their rendezvous connection.
	Bind string

	Stdin     io.Reader // rank 0's standard input, here or on a remote host; nil = /dev/null. Other ranks get /dev/null.
	Stdout    io.Writer // nil = os.Stdout
	Stderr    io.Writer // nil = os.Stderr
	TagOutput bool      // prefix every line with "[rank] "

	// Timeout ends a job that runs longer: every rank gets SIGQUIT (a Go
	// program prints every goroutine's stack and exits), after StackWait
	// the rest are killed, and the job fails with ErrTimeout. 0 = none.
	Timeout time.Duration
	// StackWait is how long ranks get to print their stacks on timeout;
	// default 3s.
	StackWait time.Duration
	// Grace is how long the other ranks get to print their errors and exit
	// after one rank failed, aborted, or a forwarded SIGINT/SIGTERM, before
	// they are killed; default 2s.
	Grace time.Duration

	// CPUsPerRank sets each rank's GOMAXPROCS (Open MPI's --cpus-per-rank).
	// 0, the default, shares this host's CPUs among its ranks, so N ranks
	// on N cores each run one P, as MPI binds one rank per core; -1 leaves
	// Go's default. A GOMAXPROCS in Env or Extra always wins.
	CPUsPerRank int

	// Compress turns on wire compression of large messages between ranks
	// on different hosts (GORUN_COMPRESS=1; see comm.Config.Compress).
	Compress bool

	// KeepGoing keeps the other ranks running when one dies (gorun
	// --enable-recovery): they are told it died, and go on with comm's
	// Shrink (GORUN_RECOVER=1 tells their comm to). The job still fails,
	// naming the first rank that died, with its exit code (keepgoing.go).
	KeepGoing bool

	// Hosts places the ranks on hosts as Mapping says (by default filling
	// each host's slots in order; hosts.go, layout.go); nil = every rank on
	// this host. A host that names this machine runs its ranks as the
	// launcher's children, the others' start through Remote.
	Hosts []Host
	// Remote says how remote ranks are started: ssh or srun (ssh.go, srun.go).
	Remote Remote

	// Apps, when set, makes an MPMD job: several programs in one world
	// (app.go). Size, Path, Args and Argv0 are then ignored (Size becomes
	// the Apps' total).
	Apps []App

	// Mapping places the ranks on Hosts (Open MPI's --map-by, --npernode,
	// --oversubscribe; layout.go). Remote.All starts even this host's
	// ranks through Remote.
	Mapping Mapping
	// BindTo pins each rank on this host (or on its host, through the
	// agent) to CPUs of its own (Open MPI's --bind-to; bind.go).
	// ReportBindings writes a line per rank to Stderr saying which.
	BindTo         BindTo
	ReportBindings bool
	// Output, when Dir is set, also writes each rank's stdout and stderr
	// to files of their own (Open MPI's --output-filename; outfiles.go).
	Output OutputFiles

	// IOStats, when set, collects every rank's I/O statistics and writes
	// the job's report when it ends (iostats.go; gorun --iostats).
	IOStats *IOStats

	// Logger receives the launcher's own progress (rank started, exited) at
	// debug level and problems at warn level; nil = discard.
	Logger *slog.Logger

	// noPdeathsig leaves the lifeline pipe alone to end the ranks when the
	// launcher dies, as on macOS, so Linux tests cover that path.
	noPdeathsig bool
}

// Running is a started job: the analogue of a started exec.Cmd.
type Running struct {
	// causeOf maps a failed rank to the rank it reported failing
	// because of (wait.go).
	causeOf map[int]int
	// departed: ranks whose rendezvous control connection has ended.
	departed map[int]bool
	// panicked: ranks whose Close ran while they panicked (panic.go).
	panicked map[int]bool
	job      Job
	ranks    []*rank
	sessions map[string]*nodeSession // remote ranks' agents by host (node.go)
	exits    chan exit
	sigs     chan syscall.Signal
	out      streams
	stdin    *os.File // write end of rank 0's stdin pipe when copying
	rv       *jobServer
	lay      *layout    // where each rank runs (layout.go)
	cores    []cpuCore  // this host's usable cores, when binding (bind.go)
	files    []*os.File // --output-filename files (outfiles.go)
	start    time.Time
	log      *slog.Logger
	waited   bool
}

func (j *Job) defaults() error {
	if err := j.appsDefaults(); err != nil {
		return err
	}
	if j.Size < 1 {
		return fmt.Errorf("launch: job size %d: give at least 1 rank", j.Size)
	}
	if j.Path == "" {
		return errors.New("launch: no program to run")
	}
	if j.Stdout == nil {
		j.Stdout = os.Stdout
	}
	if j.Stderr == nil {
		j.Stderr = os.Stderr
	}
	if j.StackWait <= 0 {
		j.StackWait = 3 * time.Second
	}
	if j.Grace <= 0 {
		j.Grace = 2 * time.Second
	}
	if j.Logger == nil {
		j.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Run starts the job and waits for it: Start followed by Wait.
func Run(ctx context.Context, job Job) error {
	r, err := Start(ctx, job)
	if err != nil {
		return err
	}
	return r.Wait(ctx)
}

// Start starts the rendezvous service and every rank. If a rank cannot be
// started, the ranks already running are killed and the error says which
// rank and why. The caller must call Wait.
func Start(ctx context.Context, job Job) (*Running, error) {
	if err := job.defaults(); err != nil {
		return nil, err
	}
	r := &Running{
		job:   job,
		exits: make(chan exit, job.Size),
		sigs:  make(chan syscall.Signal, 4),
		start: time.Now(),
		log:   job.Logger,
	}
	lay, err := newLayout(&job)
	if err != nil {
		return nil, err
	}
	r.lay = lay
	if job.BindTo != BindNone {
		if r.cores, err = hostCores(); err != nil {
			return nil, fmt.Errorf("launch: %w", err)
		}
	}
	rv, err := startRendezvous(ctx, job.Size, job.rendezvousBind(lay), job.Logger)
	if err != nil {
		return nil, err
	}
	r.rv = rv
	base := job.Env
	if base == nil {
		base = os.Environ()
	}
	outSink := &sink{w: job.Stdout}
	errSink := &sink{w: job.Stderr}
	for id := range job.Size {
		var err error
		if r.lay.remote[id] {
			err = r.addNodeRank(id, outSink, errSink) // node.go: started with its host's others below
		} else {
			err = r.startRank(id, base, outSink, errSink)
		}
		if err != nil {
			r.abandon()
			return nil, err
		}
	}
	if err := r.startSessions(errSink); err != nil {
		r.abandon()
		return nil, err
	}
	return r, nil
}

// startRank starts one rank with its environment and output pipes.
func (r *Running) startRank(id int, base []string, outSink, errSink *sink) error {
	je := r.localEnv(id) // layout.go
	env := rankEnv(base, je, r.job.extra(id))
	bound := r.bindLocal(id) // bind.go; nil: not bound
	if n := len(bound.cpus); n > 0 {
		env = procsEnv(env, n)
	} else if r.job.CPUsPerRank >= 0 {
		env = procsEnv(env, cpuShare(r.job.CPUsPerRank, r.lay.localRanks(id)))
	}
	cmd := r.newCmd(id, env) // ssh.go
	// procgroup_*.go: the rank's process group (job object on Windows),
	// tied to the launcher's life.
	group, err := newProcGroup(cmd, groupOptions{lifeline: true, noPdeathsig: r.job.noPdeathsig})
	if err != nil {
		return fmt.Errorf("launch: rank %d: %w", id, err)
	}
	var prefix []byte
	if r.job.TagOutput {
		prefix = tagPrefix(id)
	}
	crash := newCrashWatch()
	outDst, errDst, outSee, errSee, err := r.rankOutput(id, outSink, errSink, crash.see) // outfiles.go
	if err != nil {
		group.release()
		return err
	}
	stdout, err := r.out.add(outDst, prefix, outSee, nil)
	if err != nil {
		return fmt.Errorf("launch: output pipe for rank %d: %w", id, err)
	}
	stderr, err := r.out.add(errDst, prefix, errSee, crash.ended)
	if err != nil {
		stdout.Close()
		return fmt.Errorf("launch: output pipe for rank %d: %w", id, err)
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	var stdinR *os.File
	if id == 0 && r.job.Stdin != nil {
		if f, ok := r.job.Stdin.(*os.File); ok && !isTerminal(f) {
			cmd.Stdin = f // a file or pipe: the rank reads it directly
		} else {
			// A terminal (the rank is not in the foreground process group
			// and would be stopped reading it) or any other reader: copy.
			pr, pw, err := os.Pipe()
			if err != nil {
				return fmt.Errorf("launch: stdin pipe for rank 0: %w", err)
			}
			stdinR, r.stdin = pr, pw
			cmd.Stdin = pr
			go copyStdin(pw, r.job.Stdin)
		}
	}
	err = startBound(cmd, bound.cpus) // bind.go: cmd.Start, pinned when bound
	stdout.Close()
	stderr.Close()
	if stdinR != nil {
		stdinR.Close()
	}
	if err == nil {
		if err = group.started(cmd.Process); err != nil {
			_ = cmd.Wait()
		}
	}
	if err != nil {
		group.release()
		return fmt.Errorf("launch: start rank %d of %s: %w", id, cmd.Path, err)
	}
	if r.job.ReportBindings {
		errSink.write([]byte(r.reportLocal(id, bound)))
	}
	rk := &rank{id: id, cmd: cmd, crash: crash, group: group}
	r.ranks = append(r.ranks, rk)
	r.log.Debug("rank started", "rank", id, "pid", cmd.Process.Pid)
	go func() {
		awaitExit(cmd) // reap_*.go: no thread held while the rank runs
		err := cmd.Wait()
		rk.reaped.Store(true)
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = nil
		}
		r.exits <- exit{rank: id, state: cmd.ProcessState, err: err}
	}()
	return nil
}

// copyStdin feeds rank 0. It ends when the source ends or when rank 0 has
// gone (the write fails). Reading a terminal can block until the process
// exits; that reader belongs to the launcher process, not to the job.
func copyStdin(w *os.File, src io.Reader) {
	_, _ = io.Copy(w, src)
	_ = w.Close()
}

// abandon kills every started rank and releases the job's resources; used
// when Start fails half way.
func (r *Running) abandon() {
	for _, rk := range r.ranks {
		_ = rk.signalGroup(syscall.SIGKILL)
	}
	for _, s := range r.sessions {
		if !s.started() { // node.go: no agent will report these ranks
			s.endAll(r.exits, nil)
		}
	}
	for range r.ranks {
		<-r.exits
	}
	for _, rk := range r.ranks {
		if rk.group != nil {
			rk.group.release()
		}
	}
	r.out.drain(time.Second)
	r.closeFiles()
	r.rv.close()
}

// Signal forwards sig to every rank still running (to its process group)
// and starts the end of the job: the job's result is ErrInterrupted with
// exit code 128+sig unless something else ended it first. A second signal
// kills every rank at once. Safe to call from any goroutine, before or
// during Wait.
func (r *Running) Signal(sig syscall.Signal) {
	select {
	case r.sigs <- sig:
	default: // several signals queued already: the job is ending anyway
	}
}

// ForwardSignals forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT received by
// this process to every rank, until stop is called. SIGQUIT (Ctrl-backslash) makes
// every Go rank print its goroutine stacks, as --timeout does.
func (r *Running) ForwardSignals() (stop func()) {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, forwardedSignals...)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case s := <-ch:
				if sig, ok := s.(syscall.Signal); ok {
					r.Signal(sig)
				}
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
		<-finished
	}
}
