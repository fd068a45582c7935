package launch

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// procGroup is a started process and whatever it starts, as Windows groups
// them: a job object of its own, made to kill every process in it when its
// last handle closes (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE). The launcher
// holds that handle, so the system ends the rank when the launcher exits
// or is killed, as Pdeathsig does on Linux; and the process leads a
// console process group of its own (CREATE_NEW_PROCESS_GROUP), so the
// launcher can pass it an interrupt (Ctrl-Break, which a Go program sees
// as os.Interrupt) and the console's Ctrl-C reaches only the launcher,
// which forwards it once, as on Unix.
type procGroup struct {
	mu  sync.Mutex
	job windows.Handle // 0 once released
	pid int
	// proc is a handle on the process, held until release: while it is
	// open the pid, which names its console group, is not reused.
	proc windows.Handle
}

// groupOptions says how a process is tied to the launcher; on Windows the
// job object does all of it.
type groupOptions struct {
	lifeline    bool // unused: the job object ends the rank with the launcher
	noPdeathsig bool // unused
}

// newProcGroup makes the job object and prepares cmd, before Start, to
// lead its own console process group.
func newProcGroup(cmd *exec.Cmd, opt groupOptions) (*procGroup, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return nil, fmt.Errorf("create job object: %w", err)
	}
	var info windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
	info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(job)
		return nil, fmt.Errorf("set kill-on-close on job object: %w", err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP}
	return &procGroup{job: job}, nil
}

// started puts the started process into the job object. (Windows cannot
// create a process inside a job from Go's os/exec, so a child the process
// starts in its first instant escapes the job.) If that fails the process
// is killed: it would outlive the launcher.
func (g *procGroup) started(p *os.Process) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pid = p.Pid
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE|windows.SYNCHRONIZE, false, uint32(p.Pid))
	if err == nil {
		g.proc = h
		err = windows.AssignProcessToJobObject(g.job, h)
	}
	if err != nil {
		_ = p.Kill()
		return fmt.Errorf("put process %d into its job object: %w", p.Pid, err)
	}
	return nil
}

// killedCode is the exit status of a process the launcher killed: 128+9,
// as a shell reports SIGKILL, so the launcher's reports read the same on
// every system.
const killedCode = 128 + 9

// signal passes sig on as Windows can: SIGKILL terminates every process in
// the job; SIGINT, SIGTERM, SIGHUP and SIGQUIT are sent as Ctrl-Break to
// the process's console group (a Go rank sees os.Interrupt; Windows has no
// goroutine-stack dump on SIGQUIT), and, when there is no console to send
// it through, end the job as a kill would. Other signals do not exist on
// Windows.
func (g *procGroup) signal(sig syscall.Signal) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.job == 0 || g.pid == 0 {
		return nil
	}
	switch sig {
	case syscall.SIGKILL:
		return g.terminate(killedCode)
	case syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT:
		// Only to a live leader: Ctrl-Break to a group id that names no
		// group reaches every process of the console, the launcher too.
		if g.proc == 0 {
			return nil
		}
		if ev, _ := windows.WaitForSingleObject(g.proc, 0); ev != uint32(windows.WAIT_TIMEOUT) {
			return nil // exited: what it left in the job goes at release
		}
		if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(g.pid)); err != nil {
			return g.terminate(uint32(128 + int(sig)))
		}
		return nil
	}
	return fmt.Errorf("signal %s to process %d: Windows has no such signal (only interrupts, sent as Ctrl-Break, and kills)", signalName(sig), g.pid)
}

// terminate ends every process in the job with exit status code.
func (g *procGroup) terminate(code uint32) error {
	if err := windows.TerminateJobObject(g.job, code); err != nil {
		return fmt.Errorf("terminate job object of process %d: %w", g.pid, err)
	}
	return nil
}

// release closes the job object once the process has been reaped: what it
// left running is killed then (kill-on-close).
func (g *procGroup) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.job != 0 {
		windows.CloseHandle(g.job)
		g.job = 0
	}
	if g.proc != 0 {
		windows.CloseHandle(g.proc)
		g.proc = 0
	}
}

// forwardedSignals are what the launcher passes on to the ranks: Ctrl-C
// and Ctrl-Break (os.Interrupt) and a closing console (SIGTERM).
var forwardedSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// sigStop stands for a stop signal, which Windows does not have; no rank
// is ever reported stopped there (stopped.go finds no /proc).
const sigStop = syscall.Signal(19)
