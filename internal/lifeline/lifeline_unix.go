//go:build unix

package lifeline

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
)

// Give adds the read end of a new pipe to cmd's inherited files and names
// it in cmd's environment (cmd.Env, or the launcher's when that is nil).
// Call it before cmd.Start. The caller keeps the returned write end open
// for as long as the rank may live and closes it after the rank is
// reaped (the rank has its own copy of the read end from Start on;
// closeRead drops the launcher's, once Start has run). An *os.File that
// is no longer referenced is closed by its finalizer, which would end the
// rank: keep the write end referenced.
func Give(cmd *exec.Cmd) (w *os.File, closeRead func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("lifeline pipe: %w", err)
	}
	cmd.ExtraFiles = append(cmd.ExtraFiles, r)
	fd := 2 + len(cmd.ExtraFiles) // ExtraFiles[i] is descriptor 3+i
	cmd.Env = append(cmd.Environ(), Env+"="+strconv.Itoa(fd))
	return w, func() { r.Close() }, nil
}

// watchOnce makes Watch start one watcher per process, however many
// communicators the program opens: the descriptor is the process's.
var watchOnce sync.Once

// Watch starts the rank's watcher if the launcher gave it a lifeline: when
// the pipe ends, the rank kills its process group (itself only, if it
// does not lead one). It removes $GORUN_LIFELINE from the environment and
// marks the descriptor close-on-exec, so programs the rank starts neither
// inherit the pipe nor misread another descriptor by that number. A
// variable that names no pipe is an error, and nothing is watched.
func Watch() error {
	var err error
	watchOnce.Do(func() {
		v, ok := os.LookupEnv(Env)
		if !ok {
			return
		}
		os.Unsetenv(Env)
		var f *os.File
		if f, err = open(v); err == nil {
			go watch(f, killGroup)
		}
	})
	return err
}

// open checks that v names an inherited pipe and opens it for the
// runtime's poller, so the watcher holds no thread.
func open(v string) (*os.File, error) {
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return nil, fmt.Errorf("lifeline: %s=%q is not a descriptor number above 2: start the program with gorun, or unset it", Env, v)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("lifeline: %s=%d: %w (start the program with gorun, or unset it)", Env, fd, err)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		return nil, fmt.Errorf("lifeline: %s=%d names a descriptor that is not a pipe: start the program with gorun, or unset it", Env, fd)
	}
	syscall.CloseOnExec(fd)
	if err := syscall.SetNonblock(fd, true); err != nil {
		return nil, fmt.Errorf("lifeline: %s=%d: %w", Env, fd, err)
	}
	return os.NewFile(uintptr(fd), "gorun-lifeline"), nil
}

// watch reads f until it ends, then calls die. The launcher never writes,
// so a read returns only when the write end is gone (EOF), or with an
// error that leaves the rank no way to know that its launcher lives.
func watch(f *os.File, die func()) {
	var b [1]byte
	for {
		if _, err := f.Read(b[:]); err != nil {
			die()
			return
		}
		// A stray byte is not the launcher's doing: keep watching.
	}
}

// killGroup ends the rank as Pdeathsig=SIGKILL would, and, as the rank
// leads its process group under gorun, whatever it started.
func killGroup() {
	pid := syscall.Getpid()
	if pgid, err := syscall.Getpgid(pid); err == nil && pgid == pid {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}
