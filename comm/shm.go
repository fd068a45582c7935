package comm

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net"
	"time"

	"github.com/gorun-hpc/gorun/internal/shmjob"
)

// Same-host streams: a rank that dials a peer on its own host offers it a
// shared-memory ring (ring.go) on the new, authenticated TCP connection;
// if the peer maps it, the stream's frames go through the ring from then
// on and the connection carries only doorbell bytes and the end of the
// stream. The segment's name is derived from the job secret, the two
// ranks and a fresh nonce, so nobody outside the job can name it; it is
// created 0600 with O_EXCL and unlinked as soon as both ends have mapped
// it (or the offer failed), so nothing is left in /dev/shm by a job that
// dies. A peer that cannot map it (another host behind the same address,
// another /dev/shm, not Linux) answers no and the stream stays TCP.

// shmNonceSize is the length of the nonce in a frameShm offer.
const shmNonceSize = 16

// shmTo reports whether the stream to dest should try shared memory: the
// peer listens on this rank's address (same host), and TCP is not forced.
func (w *world) shmTo(dest int) bool {
	return shmSupported && !w.tcpOnly && hostOf(w.addrs[dest]) == hostOf(w.addrs[w.rank])
}

// shmName is the segment name of the stream from src to dst.
func shmName(secret []byte, jobID string, src, dst int, nonce []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("gorun/shm/v1\x00" + jobID + "\x00"))
	var b [8]byte
	binary.LittleEndian.PutUint32(b[:], uint32(src))
	binary.LittleEndian.PutUint32(b[4:], uint32(dst))
	m.Write(b[:])
	m.Write(nonce)
	return shmjob.Name(secret, jobID, src, m.Sum(nil)[:20]) // the launcher can remove what a killed rank left
}

// offerShm offers dest a ring on c, just authenticated, and returns it if
// dest mapped it; nil means stay on TCP. An error means c broke.
func (w *world) offerShm(c net.Conn, dest int) (*shmTx, error) {
	nonce := make([]byte, shmNonceSize)
	_, _ = rand.Read(nonce)
	name := shmName(w.secret, w.jobID, w.rank, dest, nonce)
	mem, err := createShm(name, ringLen(ringSize))
	if err != nil {
		w.log.Debug("comm: no shared-memory stream, using TCP", "rank", dest, "err", err)
		return nil, nil
	}
	defer unlinkShm(name) // mapped by both ends, or abandoned
	initRing(mem, ringSize)
	r, err := newRing(mem, unmapShm)
	if err != nil {
		_ = unmapShm(mem)
		return nil, nil
	}
	r.spin, r.hot = w.pollTimes()
	h := frameHdr{kind: frameShm, src: uint32(w.rank), len: shmNonceSize}
	b := make([]byte, frameHdrSize, frameHdrSize+shmNonceSize)
	h.put(b)
	_ = c.SetDeadline(time.Now().Add(w.dialTO))
	defer c.SetDeadline(time.Time{})
	var ok [1]byte
	if _, err = c.Write(append(b, nonce...)); err == nil {
		_, err = c.Read(ok[:])
	}
	if err != nil || ok[0] != 1 {
		r.release()
		if err != nil {
			return nil, fmt.Errorf("shared-memory offer: %w", err)
		}
		return nil, nil
	}
	return &shmTx{r: r, c: c}, nil
}

// acceptShm maps the ring src offered with nonce and answers on c; nil
// means it could not (the stream stays TCP).
func (w *world) acceptShm(c net.Conn, src int, nonce []byte) *shmRing {
	var r *shmRing
	name := shmName(w.secret, w.jobID, src, w.rank, nonce)
	mem, err := openShm(name, ringLen(ringSize))
	if err == nil {
		unlinkShm(name)
		if r, err = newRing(mem, unmapShm); err != nil {
			_ = unmapShm(mem)
		}
	}
	if err != nil {
		w.log.Debug("comm: refused a shared-memory stream, staying on TCP", "rank", src, "err", err)
	}
	ok := []byte{0}
	if r != nil {
		ok[0] = 1
		r.spin, r.hot = w.pollTimes()
	}
	if _, err := c.Write(ok); err != nil && r != nil {
		r.release()
		return nil
	}
	return r
}

// pollTimes returns how long a waiting side polls before it blocks, and
// how long of that it polls without yielding the CPU to other processes.
// When the job's ranks on this host outnumber its cores, it yields from
// the start (a peer it waits for may be waiting for this core) and polls
// for a share of the spin time (ranks that poll stay runnable and crowd
// the ones with work: with 1024 ranks on 2 cores, blocking wins); a rank
// pinned to a core of its own (gorun --bind-to core, as Open MPI binds by
// default) polls maxHotPinned without yielding, as no peer shares its
// core; any other polls maxHot, in case the scheduler put a peer on its
// core. Decided once, from the address table.
func (w *world) pollTimes() (spin, hot time.Duration) {
	w.hotOnce.Do(func() {
		local := 0
		for _, a := range w.addrs {
			if hostOf(a) == hostOf(w.addrs[w.rank]) {
				local++
			}
		}
		online, pinned := cpuLayout()
		w.pollFor, w.hot = pollPolicy(w.spin, local, online, pinned)
		if w.spin == localSpin {
			// In-process ranks (NewLocal): the peers are goroutines of
			// this process, which yielding the CPU does not help.
			w.pollFor, w.hot = w.spin, w.spin
		}
	})
	return w.pollFor, w.hot
}

// pollPolicy is pollTimes' decision for local ranks on a host of online
// cores.
func pollPolicy(spin time.Duration, local, online int, pinned bool) (poll, hot time.Duration) {
	switch {
	case local > online:
		return max(minSpin, spin*time.Duration(online)/time.Duration(local)), 0
	case pinned:
		return spin, min(spin, maxHotPinned)
	}
	return spin, min(spin, maxHot)
}
