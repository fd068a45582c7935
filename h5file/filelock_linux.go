//go:build linux

package h5file

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// flockFile takes a non-blocking flock(2) lock on f, exclusive for write:
// held reports that another open file holds a conflicting one.
func flockFile(f *os.File, write bool) (held bool, err error) {
	how := syscall.LOCK_SH
	if write {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	return false, err
}

// lockHolder finds, in /proc/locks, the process holding a flock lock on
// f's file, and what it is: its command, and its place in a gorun job.
func lockHolder(f *os.File) holder {
	var h holder
	st, err := f.Stat()
	if err != nil {
		return h
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return h
	}
	dev := uint64(sys.Dev)
	major := (dev>>8)&0xfff | (dev>>32)&^uint64(0xfff)
	minor := dev&0xff | (dev>>12)&^uint64(0xff)
	id := fmt.Sprintf("%02x:%02x:%d", major, minor, sys.Ino)
	locks, err := os.ReadFile("/proc/locks")
	if err != nil {
		return h
	}
	sc := bufio.NewScanner(bytes.NewReader(locks))
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; waiters have "->".
		fs := strings.Fields(sc.Text())
		if len(fs) < 6 || fs[1] != "FLOCK" || fs[5] != id {
			continue
		}
		pid, err := strconv.Atoi(fs[4])
		if err != nil || pid <= 0 {
			continue
		}
		h = holder{pid: pid, exclusive: fs[3] == "WRITE", thisProcess: pid == os.Getpid()}
		break
	}
	if h.pid == 0 || h.thisProcess {
		return h
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", h.pid)); err == nil {
		h.name = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", h.pid)); err == nil {
		h.job, h.rank, _ = jobOf(rendezvous.ParseEnviron(strings.Split(string(b), "\x00")))
	}
	return h
}

func getFileAttr(f *os.File, name string) (string, bool) {
	buf := make([]byte, 256)
	n, err := syscall.Getxattr(fdPath(f), name, buf)
	if err != nil || n < 0 || n > len(buf) {
		return "", false
	}
	return string(buf[:n]), true
}

func setFileAttr(f *os.File, name, value string) {
	_ = syscall.Setxattr(fdPath(f), name, []byte(value), 0)
}

// fdPath names f's open file (the syscall package has no fgetxattr), so
// the attribute is the open file's even if its path was renamed.
func fdPath(f *os.File) string { return fmt.Sprintf("/proc/self/fd/%d", f.Fd()) }
