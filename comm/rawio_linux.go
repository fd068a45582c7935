package comm

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// Small reads and writes on TCP streams go to the kernel as raw system
// calls inside the netpoller's RawConn callbacks (issue 16, decision 46).
// The socket is nonblocking, so the call never blocks; what it saves is
// the Go runtime's system-call bookkeeping, which on a process whose
// threads all slept (a rank waiting for a message) wakes the runtime's
// monitor thread (sysmon) at the first system call after the wake-up: a
// futex wake of another thread per message, on the message's path. The
// netpoller still parks the goroutine when the socket has nothing
// (EAGAIN), and deadlines and close work as for net.Conn's own calls.
// Large transfers keep the ordinary calls: a raw call holds its P for as
// long as the kernel takes.

// rawMax is the largest read or write made as a raw system call, and
// rawIovs the most buffers in one (the frame header's included).
const (
	rawMax  = 64 << 10
	rawIovs = 8
)

// rawIO does one stream's raw reads and writes; its callbacks are bound
// once so a call allocates nothing.
type rawIO struct {
	rc     syscall.RawConn
	p      []byte
	iov    []syscall.Iovec
	iovBuf [rawIovs]syscall.Iovec
	n      int
	errno  syscall.Errno
	readFn func(uintptr) bool
	wrFn   func(uintptr) bool
}

func newRawIO(c net.Conn) *rawIO {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &rawIO{rc: rc}
	r.readFn, r.wrFn = r.readRaw, r.writevRaw
	return r
}

func (r *rawIO) readRaw(fd uintptr) bool {
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&r.p[0])), uintptr(len(r.p)))
		if e == syscall.EINTR {
			continue
		}
		r.n, r.errno = int(n), e
		return e != syscall.EAGAIN
	}
}

// read reads into p (1 <= len(p) <= rawMax) as net.Conn's Read does.
func (r *rawIO) read(p []byte) (int, error) {
	r.p = p
	err := r.rc.Read(r.readFn)
	r.p = nil
	if err != nil {
		return 0, err
	}
	if r.errno != 0 {
		return 0, &net.OpError{Op: "read", Net: "tcp", Err: syscall.Errno(r.errno)}
	}
	if r.n == 0 {
		return 0, io.EOF
	}
	return r.n, nil
}

func (r *rawIO) writevRaw(fd uintptr) bool {
	for {
		r.errno = 0
		n, _, e := syscall.RawSyscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&r.iov[0])), uintptr(len(r.iov)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			r.errno = e
			return e != syscall.EAGAIN
		}
		// Consume what the kernel took; a partial write waits for room.
		k := int(n)
		r.n += k
		for len(r.iov) > 0 && k >= int(r.iov[0].Len) {
			k -= int(r.iov[0].Len)
			r.iov = r.iov[1:]
		}
		if len(r.iov) == 0 {
			return true
		}
		r.iov[0].Base = (*byte)(unsafe.Add(unsafe.Pointer(r.iov[0].Base), k))
		r.iov[0].SetLen(int(r.iov[0].Len) - k)
	}
}

// writev writes every byte of bufs (in total at most rawMax), or fails.
func (r *rawIO) writev(bufs [][]byte) error {
	r.iov = r.iovBuf[:0]
	for _, b := range bufs {
		if len(b) > 0 {
			r.iov = append(r.iov, syscall.Iovec{Base: &b[0]})
			r.iov[len(r.iov)-1].SetLen(len(b))
		}
	}
	r.n, r.errno = 0, 0
	if len(r.iov) == 0 {
		return nil
	}
	err := r.rc.Write(r.wrFn)
	r.iov = nil
	clear(r.iovBuf[:]) // let the buffers go
	if err != nil {
		return err
	}
	if r.errno != 0 {
		return &net.OpError{Op: "write", Net: "tcp", Err: syscall.Errno(r.errno)}
	}
	return nil
}
