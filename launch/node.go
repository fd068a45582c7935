package launch

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Node sessions: the launcher starts one ssh session or srun job step per
// remote host, not one per remote rank (decision 40). It runs `gorun
// --agent` in node mode (nodeAgent), which starts every rank of the job
// on that host with its own environment, binding, program (MPMD)
// and directory, and multiplexes the ranks' output and exits onto the
// step's stdout as records:
//
//	o RANK N\n<N bytes>   rank's stdout
//	e RANK N\n<N bytes>   rank's stderr
//	x RANK CODE SIG\n     rank exited with CODE, or was killed by signal SIG (> 0)
//
// The launcher's records to the agent, on the step's stdin, are those of
// a one-rank session with the rank named: "signal N RANK" ("signal N"
// alone: every rank), and "stdin N" / "stdin-eof" for the rank that reads
// the launcher's stdin. A step costs Slurm 30-200 ms to create and a
// slurmctld RPC, an ssh session a login (docs/SCALING.md): a session per
// rank made 10,000 ranks on 100 hosts 9,900 of them; now 100.
//
// A rank whose exit record never comes (the step ended first: the node
// died, srun was killed) is reported with the step's own exit status, as
// a one-rank step's was.

// nodeSession is the launcher's side of one host's agent.
type nodeSession struct {
	host  string
	specs []agentSpec
	outs  map[int][2]*os.File // each rank's stdout and stderr pipes (their write ends)

	mu    sync.Mutex
	in    io.WriteCloser // the agent's stdin; nil once closed
	group *procGroup     // the local srun (or ssh) client
	live  map[int]bool   // ranks neither exited nor killed
	ended map[int]bool   // ranks whose exit was reported
}

// addNodeRank prepares remote rank id for its host's session: its output
// pipes and its place in the session's spec; startSessions starts them.
func (r *Running) addNodeRank(id int, outSink, errSink *sink) error {
	spec, err := r.remoteSpec(id) // ssh.go
	if err != nil {
		return err
	}
	if r.sessions == nil {
		r.sessions = map[string]*nodeSession{}
	}
	s := r.sessions[spec.Host]
	if s == nil {
		s = &nodeSession{host: spec.Host, outs: map[int][2]*os.File{}, live: map[int]bool{}, ended: map[int]bool{}}
		r.sessions[spec.Host] = s
	}
	var prefix []byte
	if r.job.TagOutput {
		prefix = tagPrefix(id)
	}
	crash := newCrashWatch()
	outDst, errDst, outSee, errSee, err := r.rankOutput(id, outSink, errSink, crash.see) // outfiles.go
	if err != nil {
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
	s.specs = append(s.specs, spec)
	s.outs[id] = [2]*os.File{stdout, stderr}
	s.live[id] = true
	r.ranks = append(r.ranks, &rank{id: id, remote: &remoteRank{host: spec.Host, node: s, id: id}, crash: crash})
	return nil
}

// startSessions starts one agent per host for the ranks addNodeRank
// prepared, in host order.
func (r *Running) startSessions(errSink *sink) error {
	hosts := make([]string, 0, len(r.sessions))
	for h := range r.sessions {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	for _, h := range hosts {
		if err := r.startSession(r.sessions[h], errSink); err != nil {
			return err
		}
	}
	for _, rk := range r.ranks {
		if rk.id == 0 && r.job.Stdin != nil && rk.remote != nil {
			go rk.remote.sendStdin(r.job.Stdin) // remote_stdin.go; ends with the session
		}
	}
	return nil
}

func (r *Running) startSession(s *nodeSession, errSink *sink) error {
	line, err := json.Marshal(agentSpec{Host: s.host, Ranks: s.specs})
	if err != nil {
		return fmt.Errorf("launch: agent for %s: %w", s.host, err)
	}
	cmd, err := r.agentCmd(s.host) // ssh.go
	if err != nil {
		return err
	}
	group, err := newProcGroup(cmd, groupOptions{noPdeathsig: r.job.noPdeathsig})
	if err != nil {
		return fmt.Errorf("launch: agent for %s: %w", s.host, err)
	}
	in, err := cmd.StdinPipe()
	var out io.ReadCloser
	if err == nil {
		out, err = cmd.StdoutPipe()
	}
	var serr *os.File
	if err == nil {
		serr, err = r.out.add(errSink, nil, nil, nil) // srun's own messages and the agent's
	}
	if err != nil {
		group.release()
		return fmt.Errorf("launch: agent for %s: %w", s.host, err)
	}
	cmd.Stderr = serr
	err = cmd.Start()
	serr.Close()
	if err == nil {
		if err = group.started(cmd.Process); err != nil {
			_ = cmd.Wait()
		}
	}
	if err != nil {
		group.release()
		return fmt.Errorf("launch: start the agent on %s (%s): %w", s.host, cmd.Path, err)
	}
	// After Start: a spec of many ranks may not fit the pipe, and the
	// agent reads it at once (a client that fails closes the pipe).
	if _, err := in.Write(append(line, '\n')); err != nil {
		r.log.Debug("agent spec not written", "host", s.host, "err", err)
	}
	s.mu.Lock()
	s.in, s.group = in, group
	s.mu.Unlock()
	r.log.Debug("agent started", "host", s.host, "ranks", len(s.specs), "pid", cmd.Process.Pid)
	go func() {
		s.demux(out, r.exits, errSink)
		_ = cmd.Wait()
		s.endAll(r.exits, cmd.ProcessState)
		group.release()
	}()
	return nil
}

// demux reads the agent's records until its stdout ends, writing each
// rank's output to its pipes and reporting its exit.
func (s *nodeSession) demux(out io.Reader, exits chan<- exit, errSink *sink) {
	br := bufio.NewReaderSize(out, 64<<10)
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(l)
		if len(f) < 3 || len(f[0]) != 1 {
			errSink.write([]byte(l)) // not a record: srun's or a shell's words
			continue
		}
		id, err1 := strconv.Atoi(f[1])
		n, err2 := strconv.Atoi(f[2])
		files, ok := s.outs[id]
		if err1 != nil || err2 != nil || !ok {
			errSink.write([]byte(l))
			continue
		}
		switch {
		case (f[0] == "o" || f[0] == "e") && len(f) == 3 && n >= 0 && n <= recordMax:
			b := make([]byte, n)
			if _, err := io.ReadFull(br, b); err != nil {
				return
			}
			dst := files[0]
			if f[0] == "e" {
				dst = files[1]
			}
			_, _ = dst.Write(b)
		case f[0] == "x" && len(f) == 4:
			sig, err := strconv.Atoi(f[3])
			if err == nil {
				s.end(id, exits, exit{rank: id, remote: &remoteExit{code: n, sig: sig}})
			}
		default:
			errSink.write([]byte(l))
		}
	}
}

// recordMax bounds one output record: the agent sends at most a pipe
// read's worth (recordChunk).
const recordMax = 1 << 20

// end reports rank id's exit once and closes its output pipes.
func (s *nodeSession) end(id int, exits chan<- exit, ex exit) {
	s.mu.Lock()
	if s.ended[id] {
		s.mu.Unlock()
		return
	}
	s.ended[id] = true
	delete(s.live, id)
	files := s.outs[id]
	s.mu.Unlock()
	files[0].Close()
	files[1].Close()
	exits <- ex
}

// started reports whether the session's agent was started.
func (s *nodeSession) started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.group != nil
}

// endAll reports every rank of the session whose exit record did not
// come, with the session's own end.
func (s *nodeSession) endAll(exits chan<- exit, state *os.ProcessState) {
	for _, sp := range s.specs {
		s.end(sp.Rank, exits, exit{rank: sp.Rank, state: state})
	}
	s.mu.Lock()
	if s.in != nil {
		s.in.Close()
		s.in = nil
	}
	s.mu.Unlock()
}

// signal forwards sig to rank id through the agent. A SIGKILL also ends
// the local client once every rank of the session is killed or gone: a
// host that dropped off the network cannot be told anything, and the
// agent kills its ranks when its session ends.
func (s *nodeSession) signal(id int, sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.in != nil {
		_, _ = fmt.Fprintf(s.in, "signal %d %d\n", int(sig), id)
	}
	if sig != syscall.SIGKILL {
		return nil
	}
	delete(s.live, id)
	if len(s.live) > 0 {
		return nil
	}
	if s.in != nil {
		_ = s.in.Close()
		s.in = nil
	}
	if s.group != nil {
		if err := s.group.signal(syscall.SIGKILL); err != nil {
			return fmt.Errorf("kill the agent session on %s: %w", s.host, err)
		}
	}
	return nil
}

// record writes one control record to the agent.
func (s *nodeSession) record(parts ...[]byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.in == nil {
		return false
	}
	for _, p := range parts {
		if _, err := s.in.Write(p); err != nil {
			return false
		}
	}
	return true
}

// remoteExit is a rank's end as its node's agent reported it.
type remoteExit struct{ code, sig int }
