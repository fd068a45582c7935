package launch

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// nodeAgent is `gorun --agent` for every rank of a job on its host (a
// node session, node.go): it starts each as Agent starts its one, sends
// their output and exits to the launcher as records on stdout, and acts
// on the launcher's records from br. When br ends (the launcher or the
// step is gone) it kills every rank. It returns once every rank has been
// reported: 0, or 1 when a rank could not even be started.
func nodeAgent(br *bufio.Reader, specs []agentSpec, stdout, stderr io.Writer) int {
	out := &recordWriter{w: stdout}
	hostname, _ := os.Hostname()
	sshConn := os.Getenv("SSH_CONNECTION")
	ranks := map[int]*nodeRank{}
	var wg sync.WaitGroup
	status := 0
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	for _, spec := range specs {
		if spec.Srun {
			sshConn = "" // the launcher's login's, passed on by srun (see agentSpec.Srun)
		}
		nr, err := startNodeRank(spec, sshConn, hostname, out)
		if err != nil {
			out.output('e', spec.Rank, fmt.Appendf(nil, "gorun --agent: rank %d on %s (%s): %v\n", spec.Rank, spec.Host, hostname, err))
			out.exit(spec.Rank, 127, 0)
			status = 1
			continue
		}
		ranks[spec.Rank] = nr
		wg.Go(func() { nr.wait(out) })
	}
	go func() { // the launcher's control records; end with the session
		for {
			if err := nodeRecord(br, ranks); err != nil {
				for _, nr := range ranks {
					_ = nr.group.signal(syscall.SIGKILL)
					nr.feed.end()
				}
				return
			}
		}
	}()
	done := make(chan struct{})
	go func() { // signals sent to the agent itself go to every rank
		for {
			select {
			case s := <-sigs:
				if sig, ok := s.(syscall.Signal); ok {
					for _, nr := range ranks {
						_ = nr.group.signal(sig)
					}
				}
			case <-done:
				return
			}
		}
	}()
	wg.Wait()
	close(done)
	agentSegments(specs) // shmclean.go: its ranks are gone
	return status
}

// nodeRank is one rank a node agent started.
type nodeRank struct {
	spec   agentSpec
	where  string
	cmd    *exec.Cmd
	group  *procGroup
	feed   *stdinFeed     // nil: the rank reads /dev/null
	copied sync.WaitGroup // its output copied to records
}

// startNodeRank starts the rank spec describes, its output copied to out.
func startNodeRank(spec agentSpec, sshConn, hostname string, out *recordWriter) (*nodeRank, error) {
	nr := &nodeRank{spec: spec, where: fmt.Sprintf("rank %d on %s (%s)", spec.Rank, spec.Host, hostname)}
	env, err := agentEnv(os.Environ(), spec, sshConn) // remote.go
	if err != nil {
		return nil, err
	}
	var cores []cpuCore
	var bound binding
	if spec.BindTo != BindNone {
		if cores, err = hostCores(); err != nil {
			return nil, err
		}
		bound = bindRank(spec.BindTo, cores, spec.Slot, spec.CPUs)
		env = procsEnv(env, len(bound.cpus))
	}
	cmd := exec.Command(spec.Path, spec.Args...)
	if spec.Argv0 != "" {
		cmd.Args[0] = spec.Argv0
	}
	cmd.Dir, cmd.Env = spec.Dir, env
	nr.cmd = cmd
	var pipes [2][2]*os.File // stdout, stderr: read end, write end
	for i := range pipes {
		r, w, err := os.Pipe()
		if err != nil {
			for _, p := range pipes[:i] {
				p[0].Close()
				p[1].Close()
			}
			return nil, fmt.Errorf("output pipe: %w", err)
		}
		pipes[i] = [2]*os.File{r, w}
	}
	cmd.Stdout, cmd.Stderr = pipes[0][1], pipes[1][1]
	closeAll := func() {
		for _, p := range pipes {
			p[0].Close()
			p[1].Close()
		}
	}
	if nr.group, err = newProcGroup(cmd, groupOptions{lifeline: true}); err != nil { // dies with the agent
		closeAll()
		return nil, err
	}
	var stdinR *os.File
	if spec.Stdin {
		pr, pw, err := os.Pipe()
		if err != nil {
			nr.group.release()
			closeAll()
			return nil, fmt.Errorf("stdin pipe: %w", err)
		}
		cmd.Stdin, stdinR = pr, pr
		nr.feed = newStdinFeed(pw)
	}
	err = startBound(cmd, bound.cpus) // bind.go
	if stdinR != nil {
		stdinR.Close()
	}
	pipes[0][1].Close()
	pipes[1][1].Close()
	if err == nil {
		if err = nr.group.started(cmd.Process); err != nil {
			_ = cmd.Wait()
		}
	}
	if err != nil {
		nr.group.release()
		nr.feed.end()
		pipes[0][0].Close()
		pipes[1][0].Close()
		return nil, fmt.Errorf("start: %v (is the program on this host at that path?)", err)
	}
	for i, kind := range []byte{'o', 'e'} {
		nr.copied.Go(func() { out.copy(kind, spec.Rank, pipes[i][0]) })
	}
	if spec.Report {
		out.output('e', spec.Rank, []byte(reportLine(hostname, os.Getpid(), spec.Rank, cores, bound)))
	}
	return nr, nil
}

// outputWait bounds how long a rank's exit waits for its output: a
// process it started may hold the pipes open after it ended.
const outputWait = 2 * time.Second

// wait reports the rank's exit after its output.
func (nr *nodeRank) wait(out *recordWriter) {
	defer nr.group.release()
	werr := nr.cmd.Wait()
	nr.feed.end()
	copied := make(chan struct{})
	go func() { nr.copied.Wait(); close(copied) }()
	select {
	case <-copied:
	case <-time.After(outputWait):
	}
	var ee *exec.ExitError
	if werr != nil && !isExitError(werr, &ee) {
		out.output('e', nr.spec.Rank, fmt.Appendf(nil, "gorun --agent: %s: %v\n", nr.where, werr))
		out.exit(nr.spec.Rank, 1, 0)
		return
	}
	code, sig := nr.cmd.ProcessState.ExitCode(), 0
	if ws, ok := nr.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		sig = int(ws.Signal())
		how, _ := exit{rank: nr.spec.Rank, state: nr.cmd.ProcessState}.describe()
		out.output('e', nr.spec.Rank, fmt.Appendf(nil, "gorun --agent: %s %s\n", nr.where, how))
	}
	out.exit(nr.spec.Rank, code, sig)
}

// nodeRecord reads and acts on one control record from the launcher, as
// agentRecord does for one rank: "signal N RANK" (or "signal N" for every
// rank), "stdin N" and its bytes, "stdin-eof".
func nodeRecord(br *bufio.Reader, ranks map[int]*nodeRank) error {
	l, err := br.ReadString('\n')
	if err != nil {
		return err
	}
	f := strings.Fields(l)
	switch {
	case (len(f) == 2 || len(f) == 3) && f[0] == "signal":
		n, err := strconv.Atoi(f[1])
		if err != nil || n <= 0 || n >= 65 {
			return nil
		}
		for id, nr := range ranks {
			if len(f) == 2 || f[2] == strconv.Itoa(id) {
				_ = nr.group.signal(syscall.Signal(n))
			}
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
		for _, nr := range ranks {
			nr.feed.put(b) // only the rank that reads stdin has a feed
		}
	case len(f) == 1 && f[0] == "stdin-eof":
		for _, nr := range ranks {
			nr.feed.end()
		}
	}
	return nil
}

// recordWriter writes a node agent's records, one at a time.
type recordWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// recordChunk is the most output one record carries.
const recordChunk = 32 << 10

// copy sends what r yields as kind records of rank until r ends.
func (o *recordWriter) copy(kind byte, rank int, r *os.File) {
	defer r.Close()
	buf := make([]byte, recordChunk)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			o.output(kind, rank, buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func (o *recordWriter) output(kind byte, rank int, b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, _ = o.w.Write(append(fmt.Appendf(nil, "%c %d %d\n", kind, rank, len(b)), b...))
}

func (o *recordWriter) exit(rank, code, sig int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, _ = fmt.Fprintf(o.w, "x %d %d %d\n", rank, code, sig)
}
