package h5file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/gorun-hpc/gorun/h5core"
)

// The writer's half of snapshots (ARCHITECTURE.md decision 28). A flush
// writes everything new into space no reader of the previous flush uses,
// then publishes: the superblock and the headers rewritten in place. With
// WithSnapshots the publishing is bracketed twice over:
//
//   - by the generation in the file's snapshot block (h5core/snapshot.go):
//     odd before the first in-place write, even again after the last (on
//     a network file system each synced in that order, as its client
//     sends writes to the server in any order), so a follower (Follow) that reads the
//     same even generation before and after its reads knows it read one
//     flush, on this host or another;
//   - by the file lock, for libhdf5's readers (h5py, h5dump), which cannot
//     check a generation: the writer holds a shared lock while the file is
//     open, so they can open it alongside (libhdf5 takes a shared lock to
//     read and holds it until close), and an exclusive one while it
//     publishes, so no libhdf5 reader has the file open while bytes it may
//     read change. A reader that opens the file during those microseconds
//     gets libhdf5's "unable to lock file" and may open it again a moment
//     later.

// defaultLockWait bounds how long a flush waits for libhdf5 readers to
// close the file before it publishes (SnapshotLockWait).
const defaultLockWait = 10 * time.Second

// WithSnapshots makes every Flush of a file opened for writing a
// consistent snapshot for readers that run while the job writes: a
// follower (Open with Follow, or h5ls --follow) on any host sees each
// flush whole, never a mix of two; h5py and h5dump, which lock the file
// as libhdf5 does, can open it while it is written (the writer holds a
// shared lock, not an exclusive one) and read one flush whole. A new file
// gets a 24-byte snapshot block after its superblock; a file opened with
// r+ or a keeps the generation of the one it has (a file made without it
// gets the lock-based half only: Follow refuses it).
//
// What a snapshot promises about raw data: the elements inside each
// dataset's extent as of the flush, for data written before the flush and
// not overwritten after it. Growing a dataset (Resize, then writing the
// new part) keeps every older snapshot right; writing again into
// elements a flush already showed is seen by readers of that flush
// as soon as it is written, as MPI-IO and SWMR readers see it.
//
// Cost: per flush, two writes of the block and two flock calls; on a
// network file system two fsyncs that order the block's writes around
// the in-place writes (bench/follow).
func WithSnapshots() Option { return func(o *options) { o.snapshots = true } }

// SnapshotLockWait bounds how long a Flush of a file with WithSnapshots
// waits for libhdf5 readers (h5py) that have the file open to close it
// before it publishes (default 10 s). A reader that keeps the file open
// longer (an interactive session) must not stall the job for good: the
// flush then publishes without the lock, and that reader may see parts of
// two flushes, as it would without WithSnapshots (SnapshotStats counts
// such flushes). A negative d waits as long as the file's context allows.
func SnapshotLockWait(d time.Duration) Option {
	return func(o *options) { o.lockWait, o.lockWaitSet = d, true }
}

// SnapshotStats is what publishing the flushes of a file with
// WithSnapshots cost the process that writes its metadata (rank 0).
type SnapshotStats struct {
	Published   int           // flushes published
	WithoutLock int           // of those, published after SnapshotLockWait without the lock
	LockWait    time.Duration // time spent waiting for libhdf5 readers to close the file
}

// SnapshotStats returns this process's publishing counts; zero on ranks
// other than 0 and for files without WithSnapshots.
func (f *File) SnapshotStats() SnapshotStats {
	if f.snap == nil {
		return SnapshotStats{}
	}
	return f.snap.stats
}

// snapshotWriter is the writer Flush gets in a file with snapshots (rank 0
// or a serial file): writes go to the file, and it is an h5core.Publisher.
type snapshotWriter struct {
	f         *os.File
	path      string
	block     int64  // file offset of the snapshot block; -1: none (lock only)
	gen       uint64 // last generation written to the block
	lock      lockPolicy
	stats     SnapshotStats
	lockWait  time.Duration // SnapshotLockWait; < 0: the context's
	ctx       context.Context
	exclusive bool
	eof       func() uint64 // the model's end of file, in the file (base included)
	// sync orders the block's writes around the in-place writes with
	// fsync: on a network file system's client, whose writes reach the
	// server in any order (follow_fs_linux.go).
	sync bool
}

// setupSnapshots gives rank 0 (or a serial file) its snapshot writer once
// the model exists: the block of a new file, or the one an opened file
// has; and trades the exclusive lock of a writer for a shared one.
func (f *File) setupSnapshots(create bool) error {
	if !f.snapshots || f.readOnly {
		return nil
	}
	s := &snapshotWriter{f: f.os, path: f.path, block: -1, lock: lockingPolicy(), sync: !writesOrdered(f.os), lockWait: f.lockWait, ctx: f.ctx}
	if create {
		s.block = int64(f.model.Base() + f.model.SnapshotBlock())
	} else {
		st, err := f.os.Stat()
		if err != nil {
			return opErr("open", f.path, err)
		}
		off, err := h5core.LocateSnapshotBlock(f.os, st.Size())
		switch {
		case errors.Is(err, h5core.ErrNoSnapshotBlock):
		case err != nil:
			return opErrf("open", f.path, "snapshot block: %w", err)
		default:
			b := make([]byte, h5core.SnapshotBlockSize)
			if _, err := f.os.ReadAt(b, off); err != nil {
				return opErrf("open", f.path, "snapshot block: %w", err)
			}
			gen, err := h5core.DecodeSnapshotBlock(b)
			if err != nil {
				return opErrf("open", f.path, "snapshot block at %d: %w", off, err)
			}
			s.block, s.gen = off, gen+gen%2 // odd: the last writer died publishing
		}
	}
	if s.lock != lockOff {
		// We hold the exclusive lock (openLocked): converting it to a
		// shared one cannot conflict with anyone.
		if _, err := flockFile(f.os, false); err != nil && s.lock == lockOn {
			return opErrf("open", f.path, "shared lock for snapshots: %v: %w", err, ErrLocked)
		}
	}
	s.eof = func() uint64 { return f.model.Base() + f.model.EOF() }
	f.snap = s
	return nil
}

func (s *snapshotWriter) WriteAt(p []byte, off int64) (int, error) { return s.f.WriteAt(p, off) }

// Stat and Truncate let h5core extend the file to its end (h5core.Flush).
// The file grows ahead of its end of file (grow): libhdf5 reads a file's
// size before it takes its lock, so a reader that did so just before the
// file grew and locks just after a flush whose superblock names the new
// end would refuse the file as truncated. Ahead, growth is rare and the
// next flushes fit in what it added.
func (s *snapshotWriter) Stat() (fs.FileInfo, error) { return s.f.Stat() }
func (s *snapshotWriter) Truncate(n int64) error     { return s.grow(n, n) }

// grow makes the file at least need bytes long, and then (need or more)
// ahead: half its size again, at least 1 MiB, in 4 KiB pages. The space
// past the end of file is a hole, given back at Close (trim).
func (s *snapshotWriter) grow(need, ahead int64) error {
	st, err := s.f.Stat()
	if err != nil {
		return err
	}
	if st.Size() >= need {
		return nil
	}
	size := max(ahead+1<<20, st.Size()+st.Size()/2)
	return s.f.Truncate((size + 4095) &^ 4095)
}

// growAhead grows the file when its end of file has come within a
// quarter of its size, after a flush, so that the flushes to come find
// the space there already.
func (s *snapshotWriter) growAhead() error {
	if s.eof == nil {
		return nil
	}
	st, err := s.f.Stat()
	if err != nil {
		return err
	}
	end := int64(s.eof())
	if end > st.Size()-st.Size()/4 {
		return s.grow(st.Size()+1, end)
	}
	return nil
}

// trim gives back the space past the end of file, at Close.
func (s *snapshotWriter) trim() error {
	if s.eof == nil {
		return nil
	}
	st, err := s.f.Stat()
	if err != nil {
		return err
	}
	if end := int64(s.eof()); st.Size() > end {
		return s.f.Truncate(end)
	}
	return nil
}

// BeginPublish makes the generation odd (synced, so a follower on any
// host sees it before any in-place write), then takes the exclusive lock.
func (s *snapshotWriter) BeginPublish() error {
	if s.block >= 0 {
		s.gen |= 1
		if _, err := s.f.WriteAt(h5core.EncodeSnapshotBlock(s.gen), s.block); err != nil {
			return fmt.Errorf("write snapshot block: %w", err)
		}
		if err := s.syncOrder(); err != nil {
			return fmt.Errorf("sync snapshot block: %w", err)
		}
	}
	return s.lockExclusive()
}

// EndPublish returns to the shared lock, then makes the generation even
// once the in-place writes are on disk. The exclusive lock covers only
// the in-place writes: libhdf5's readers on this host see them once
// written, and on NFS releasing a lock flushes them to the server.
func (s *snapshotWriter) EndPublish() error {
	s.stats.Published++
	if err := s.growAhead(); err != nil {
		return fmt.Errorf("grow the file ahead of its end: %w", err)
	}
	if s.exclusive {
		s.exclusive = false
		if _, err := flockFile(s.f, false); err != nil && s.lock == lockOn {
			return fmt.Errorf("return to the shared lock: %v: %w", err, ErrLocked)
		}
	}
	if s.block < 0 {
		return nil
	}
	// A follower on another host must not see the even generation
	// before the in-place writes.
	if err := s.syncOrder(); err != nil {
		return fmt.Errorf("sync before publishing generation %d: %w", s.gen+1, err)
	}
	s.gen++
	if _, err := s.f.WriteAt(h5core.EncodeSnapshotBlock(s.gen), s.block); err != nil {
		return fmt.Errorf("write snapshot block: %w", err)
	}
	return nil
}

// syncOrder makes the writes so far reach the disk (the server) before
// the next, where the file system would not keep their order.
func (s *snapshotWriter) syncOrder() error {
	if !s.sync {
		return nil
	}
	return s.f.Sync()
}

// lockExclusive upgrades the shared lock to an exclusive one, waiting (up
// to snapshotLockWait) for libhdf5 readers to close the file. A failed
// non-blocking upgrade drops the shared lock (flock(2) converts by
// unlocking first), so each retry takes the shared lock back: another
// writer must not slip in.
func (s *snapshotWriter) lockExclusive() error {
	if s.lock == lockOff {
		return nil
	}
	start := time.Now()
	defer func() { s.stats.LockWait += time.Since(start) }()
	pause := 100 * time.Microsecond
	for {
		held, err := flockFile(s.f, true)
		switch {
		case err != nil && s.lock == lockBestEffort:
			return nil
		case err != nil:
			return fmt.Errorf("exclusive lock to publish a flush: %v: %w", err, ErrLocked)
		case !held:
			s.exclusive = true
			return nil
		}
		if held, err := flockFile(s.f, false); err != nil || held {
			return fmt.Errorf("another process took the file for writing while this one flushed: %w", ErrLocked)
		}
		if err := s.ctx.Err(); err != nil {
			return fmt.Errorf("waiting for readers to close the file: %w", err)
		}
		if s.lockWait >= 0 && time.Since(start) > s.lockWait {
			s.stats.WithoutLock++
			return nil
		}
		// Nothing tells a waiter that a reader closed, and flock has no
		// writer preference: a reader that reopens at once leaves gaps of
		// a fraction of a millisecond, which only a short pause catches.
		time.Sleep(pause)
		pause = min(2*pause, time.Millisecond)
	}
}
