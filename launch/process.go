package launch

import (
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
)

// rank is one started process of the job.
type rank struct {
	// reaped: its process was waited for (the stopped-rank watcher, in
	// another goroutine, stops reading its state then).
	reaped atomic.Bool
	id     int
	cmd    *exec.Cmd
	exited bool
	remote *remoteRank // nil on this host (ssh.go)
	crash  *crashWatch // its stderr's panic line (panic.go)
	group  *procGroup  // the process and what it starts (procgroup_*.go)
}

// exit is what a rank's waiter reports.
type exit struct {
	rank   int
	state  *os.ProcessState
	remote *remoteExit // its node's agent's report (node.go); state is nil then
	err    error       // Wait failed without a state (should not happen once started)
}

// success reports a clean exit with status 0.
func (e exit) success() bool {
	if e.remote != nil {
		return e.remote.code == 0 && e.remote.sig == 0
	}
	return e.err == nil && e.state != nil && e.state.Success()
}

// describe turns an exit into the launcher's words and exit code:
// "exited with code 3" -> 3, "killed by signal 9" -> 128+9.
func (e exit) describe() (how string, code int) {
	if x := e.remote; x != nil {
		if x.sig > 0 {
			sig := syscall.Signal(x.sig)
			return fmt.Sprintf("killed by signal %d (%s)", x.sig, signalName(sig)), 128 + x.sig
		}
		return fmt.Sprintf("exited with code %d", x.code), x.code
	}
	if e.err != nil || e.state == nil {
		return fmt.Sprintf("could not be waited for: %v", e.err), 1
	}
	if ws, ok := e.state.Sys().(syscall.WaitStatus); ok {
		switch {
		case ws.Signaled():
			sig := ws.Signal()
			return fmt.Sprintf("killed by signal %d (%s)", int(sig), signalName(sig)), 128 + int(sig)
		case ws.Exited():
			return fmt.Sprintf("exited with code %d", ws.ExitStatus()), ws.ExitStatus()
		}
	}
	return fmt.Sprintf("ended: %v", e.state), 1
}

// newRankCmd prepares rank id's process. startRank puts it in a
// procGroup of its own (procgroup_*.go): a terminal's Ctrl-C reaches only
// the launcher, which forwards it once, a kill reaches whatever the rank
// started, and the rank dies with the launcher, so no rank outlives its job.
func newRankCmd(job *Job, id int, env []string) *exec.Cmd {
	app, _ := job.app(id) // app.go: the job's program, or its MPMD program
	cmd := exec.Command(app.Path, app.Args...)
	if app.Path != "" && len(app.Argv0) > 0 {
		cmd.Args[0] = app.Argv0
	}
	cmd.Dir = app.Dir
	cmd.Env = env
	return cmd
}

// signalGroup sends sig to rank's process group. A group that is already
// gone is not an error.
func (r *rank) signalGroup(sig syscall.Signal) error {
	if r.remote != nil {
		return r.remote.signal(sig)
	}
	if err := r.group.signal(sig); err != nil {
		return fmt.Errorf("rank %d: %w", r.id, err)
	}
	return nil
}
