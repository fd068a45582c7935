package launch

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// Agent is the remote half of a multi-host launch, run by ssh as
// `gorun --agent` on the rank's host (Hydra's proxy, for one rank). It
// reads the rank's description as one JSON line from stdin (so the job
// secret never appears on a command line), starts the rank in its own
// process group with the GORUN_* environment, and then reads stdin for
// the launcher's control records: "signal N" lines, which it forwards to
// that group, and, for rank 0 when the launcher has a stdin to give, "stdin
// N" followed by N bytes of the rank's input and a last "stdin-eof" (see
// stdinFeed). When stdin ends (the launcher or its ssh session is gone) it
// kills the rank. The rank's stdout and stderr are the session's own. It returns the
// exit status for the agent's process: the rank's, or 128+signal.
func Agent(stdin io.Reader, stdout, stderr io.Writer) int {
	br := bufio.NewReader(stdin)
	line, err := br.ReadBytes('\n')
	if err != nil {
		fmt.Fprintf(stderr, "gorun --agent: no job description on stdin (%v): this mode is started by gorun -H over ssh\n", err)
		return 2
	}
	var spec agentSpec
	if err := json.Unmarshal(line, &spec); err != nil {
		fmt.Fprintf(stderr, "gorun --agent: bad job description: %v\n", err)
		return 2
	}
	if len(spec.Ranks) > 0 {
		return nodeAgent(br, spec.Ranks, stdout, stderr) // node_agent.go
	}
	hostname, _ := os.Hostname()
	where := fmt.Sprintf("rank %d on %s (%s)", spec.Rank, spec.Host, hostname)
	sshConn := os.Getenv("SSH_CONNECTION")
	if spec.Srun {
		sshConn = "" // the launcher's login's, passed on by srun (see agentSpec.Srun)
	}
	env, err := agentEnv(os.Environ(), spec, sshConn)
	if err != nil {
		fmt.Fprintf(stderr, "gorun --agent: %s: %v\n", where, err)
		return 2
	}
	var cores []cpuCore
	var bound binding
	if spec.BindTo != BindNone {
		if cores, err = hostCores(); err != nil {
			fmt.Fprintf(stderr, "gorun --agent: %s: %v\n", where, err)
			return 2
		}
		bound = bindRank(spec.BindTo, cores, spec.Slot, spec.CPUs)
		env = procsEnv(env, len(bound.cpus)) // agentEnv left GOMAXPROCS to the binding
	}
	cmd := exec.Command(spec.Path, spec.Args...)
	if spec.Argv0 != "" {
		cmd.Args[0] = spec.Argv0
	}
	cmd.Dir, cmd.Env = spec.Dir, env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	group, err := newProcGroup(cmd, groupOptions{lifeline: true}) // procgroup_*.go: dies with the agent
	if err != nil {
		fmt.Fprintf(stderr, "gorun --agent: %s: %v\n", where, err)
		return 1
	}
	defer group.release()
	var feed *stdinFeed // nil: the rank reads /dev/null
	var stdinR *os.File
	if spec.Stdin {
		pr, pw, err := os.Pipe()
		if err != nil {
			fmt.Fprintf(stderr, "gorun --agent: %s: stdin pipe: %v\n", where, err)
			return 1
		}
		cmd.Stdin, stdinR = pr, pr
		feed = newStdinFeed(pw)
		defer feed.end()
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	err = startBound(cmd, bound.cpus) // bind.go
	if stdinR != nil {
		stdinR.Close()
	}
	if err != nil {
		fmt.Fprintf(stderr, "gorun --agent: start %s: %v (is the program on this host at that path?)\n", where, err)
		return 127
	}
	if err := group.started(cmd.Process); err != nil {
		_ = cmd.Wait()
		fmt.Fprintf(stderr, "gorun --agent: start %s: %v\n", where, err)
		return 1
	}
	if spec.Report {
		fmt.Fprint(stderr, reportLine(hostname, os.Getpid(), spec.Rank, cores, bound))
	}
	go func() { // the launcher's control records; ends with the session
		for {
			if err := agentRecord(br, group, feed); err != nil {
				_ = group.signal(syscall.SIGKILL)
				feed.end()
				return
			}
		}
	}()
	done := make(chan struct{})
	defer close(done)
	go func() { // signals sent to the agent itself go to the rank too
		for {
			select {
			case s := <-sigs:
				if sig, ok := s.(syscall.Signal); ok {
					_ = group.signal(sig)
				}
			case <-done:
				return
			}
		}
	}()
	werr := cmd.Wait()
	var ee *exec.ExitError
	if werr != nil && !isExitError(werr, &ee) {
		fmt.Fprintf(stderr, "gorun --agent: %s: %v\n", where, werr)
		return 1
	}
	how, code := exit{rank: spec.Rank, state: cmd.ProcessState}.describe()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		fmt.Fprintf(stderr, "gorun --agent: %s %s\n", where, how)
	}
	return code
}

// agentRecord reads and acts on one control record from the launcher. An
// error means the session is gone or out of step: the caller kills the
// rank.
func agentRecord(br *bufio.Reader, group *procGroup, feed *stdinFeed) error {
	l, err := br.ReadString('\n')
	if err != nil {
		return err
	}
	f := strings.Fields(l)
	switch {
	case len(f) == 2 && f[0] == "signal":
		if n, err := strconv.Atoi(f[1]); err == nil && n > 0 && n < 65 {
			_ = group.signal(syscall.Signal(n))
		}
	case len(f) == 2 && f[0] == "stdin":
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 1 || n > stdinChunk {
			return fmt.Errorf("bad stdin record %q", l)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return err
		}
		feed.put(b)
	case len(f) == 1 && f[0] == "stdin-eof":
		feed.end()
	}
	return nil
}

func isExitError(err error, ee **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*ee = e
	return ok
}

// agentEnv is the rank's environment on its host: the session's own
// (PATH, HOME of the remote user) without GORUN_*, then the job's with the
// rendezvous address and the address to listen on filled in, then the
// launcher's -x entries (a -x GORUN_FOO of no meaning to the contract
// too, as a rank on the launcher's host gets it). sshConn is $SSH_CONNECTION: "client-ip
// client-port server-ip server-port", the launcher's address as this host
// reaches it and this host's address on that route, which the other hosts
// reach too.
func agentEnv(base []string, spec agentSpec, sshConn string) ([]string, error) {
	job, err := rendezvous.ParseEnviron(spec.Env) // a -x GORUN_BIND in it wins
	if err != nil {
		return nil, err
	}
	job.Addr = spec.Rendezvous
	if f := strings.Fields(sshConn); len(f) == 4 {
		if job.Bind == "" {
			job.Bind = f[2]
		}
		if job.Addr == "" {
			job.Addr = net.JoinHostPort(f[0], spec.Port)
		}
	}
	if job.Addr == "" {
		return nil, fmt.Errorf("SSH_CONNECTION is not set, so the launcher's address is unknown: give gorun --bind ADDR (an address of the launcher's host that this host reaches)")
	}
	env := rankEnv(base, job, withoutKeysOf(spec.Env, job.Environ()))
	if spec.CPUs >= 0 && spec.BindTo == BindNone {
		env = procsEnv(env, cpuShare(spec.CPUs, spec.Local))
	}
	return env, nil
}

// withoutKeysOf is entries without those whose key set defines: the job's
// variables, already in the environment from job.Environ().
func withoutKeysOf(entries, set []string) []string {
	keys := map[string]bool{}
	for _, kv := range set {
		k, _, _ := strings.Cut(kv, "=")
		keys[k] = true
	}
	var out []string
	for _, kv := range entries {
		if k, _, _ := strings.Cut(kv, "="); !keys[k] {
			out = append(out, kv)
		}
	}
	return out
}
