//go:build unix

package launch

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"

	"github.com/gorun-hpc/gorun/internal/lifeline"
)

// procGroup is a started process and whatever it starts, as the system
// groups them: on Unix the process group it leads (Setpgid), so a
// terminal's Ctrl-C reaches only the launcher, which forwards it once, and
// a kill reaches the rank's own children; on Windows a job object
// (procgroup_windows.go). It also holds what ends the process if the
// launcher dies: Pdeathsig on Linux (pdeathsig_linux.go) and, on every
// Unix, the write end of the rank's lifeline pipe, whose end a Go rank
// watches from comm.Init (internal/lifeline). macOS has no Pdeathsig: there
// the lifeline alone does it.
type procGroup struct {
	mu        sync.Mutex
	pid       int      // the group's leader, once started
	lifeline  *os.File // write end; the rank's copy of the read end ends with it
	closeRead func()   // drops the launcher's read end once the rank has its own
}

// groupOptions says how a process is tied to the launcher.
type groupOptions struct {
	// lifeline gives the process a lifeline pipe (ranks; not the ssh
	// client of a remote rank, whose agent watches its session instead).
	lifeline bool
	// noPdeathsig leaves the lifeline alone to end the process when the
	// launcher dies, as on macOS: a test switch (Job.noPdeathsig).
	noPdeathsig bool
}

// newProcGroup prepares cmd, before Start, to lead its own process group
// and to die with the launcher.
func newProcGroup(cmd *exec.Cmd, opt groupOptions) (*procGroup, error) {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if !opt.noPdeathsig {
		setPdeathsig(attr)
	}
	cmd.SysProcAttr = attr
	g := &procGroup{}
	if opt.lifeline {
		w, closeRead, err := lifeline.Give(cmd)
		if err != nil {
			return nil, err
		}
		g.lifeline, g.closeRead = w, closeRead
	}
	return g, nil
}

// started records the started process. The rank holds its own read end of
// the lifeline now, so the launcher's is closed: only the write end stays.
func (g *procGroup) started(p *os.Process) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pid = p.Pid
	if g.closeRead != nil {
		g.closeRead()
		g.closeRead = nil
	}
	return nil
}

// signal sends sig to the process group. A group that is already gone is
// not an error.
func (g *procGroup) signal(sig syscall.Signal) error {
	g.mu.Lock()
	pid := g.pid
	g.mu.Unlock()
	if pid == 0 {
		return nil
	}
	err := syscall.Kill(-pid, sig)
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal %s to process group %d: %w", signalName(sig), pid, err)
	}
	return nil
}

// release lets go of the group once its leader has been reaped and its
// group killed: the lifeline's write end is closed (any process still
// holding the read end is told the launcher is gone, as it would be at
// the launcher's exit).
func (g *procGroup) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closeRead != nil {
		g.closeRead()
		g.closeRead = nil
	}
	if g.lifeline != nil {
		g.lifeline.Close()
		g.lifeline = nil
	}
}

// forwardedSignals are the signals the launcher and the ssh agent pass on
// to the ranks (SIGQUIT: every Go rank prints its goroutine stacks).
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// sigStop is the stop signal, for the exit code of a stopped rank (stopped.go).
const sigStop = syscall.SIGSTOP
