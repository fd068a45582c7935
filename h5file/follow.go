package h5file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gorun-hpc/gorun/h5core"
)

// The reader's half of snapshots (ARCHITECTURE.md decision 28): a
// follower reads the generation in the snapshot block, loads the whole
// metadata tree (every header, link, attribute and chunk index) through a
// reader that checks the generation after every read, and reads the
// generation once more through a fresh open (close-to-open consistency on
// NFS). The same even generation before, during and after means that no
// flush published while it read: the view is that flush, whole. Otherwise
// it starts again. Raw data is read later, from space a flush frees only
// for reuse after the next one, so a data read is that snapshot's while
// the writer has not finished the next flush; after that it fails with
// ErrSnapshotGone instead of returning bytes of another flush.

// ErrSnapshotGone is returned by a read from a followed file whose view
// is older than the flush before the writer's last: the space it read
// from may hold newer data. Next or Poll moves the view on; handles
// (Dataset) of an earlier view must be looked up again.
var ErrSnapshotGone = errors.New("h5file: snapshot superseded by the writer's later flushes")

// ErrNoSnapshot is returned by Open with Follow for a file that was not
// created with WithSnapshots (it has no snapshot block) or has no
// snapshot yet.
var ErrNoSnapshot = errors.New("h5file: file has no snapshot to follow")

// followOpenWait bounds how long Open with Follow waits for a flush being
// published to end when the caller's context has no deadline: a writer
// that died mid-flush leaves the generation odd for good.
const followOpenWait = 10 * time.Second

// Follow opens, read-only, a file that another process (a running job,
// on this host or another) writes with WithSnapshots, and shows one of its
// flushes whole: the File's groups, datasets, attributes and data are all
// as of that flush. Next waits for a later flush and moves the view to it
// atomically; Poll moves it if there is one. The follower takes no lock,
// so it never delays the writer. Open fails with ErrNoSnapshot if the file
// has no snapshot block. Use with mode "r".
func Follow() Option { return func(o *options) { o.follow = true } }

// FollowInterval sets how often Next and Open with Follow look for a new
// flush (default 10 ms): a follower polls, as no file system tells
// another host that a file changed.
func FollowInterval(d time.Duration) Option {
	return func(o *options) { o.followEvery = d }
}

// follower is the state of a File opened with Follow.
type follower struct {
	block int64         // file offset of the snapshot block
	gen   uint64        // the view's generation: even
	every time.Duration // FollowInterval
	dsets map[*h5core.Dataset]bool
	// remote: the file is on a network file system, whose client may
	// answer a read from its cache: the generation is read through a
	// fresh open (NFS revalidates its cache on open).
	remote bool
	path   string
	// loads counts snapshot loads that completed; retries those started
	// again because a flush was published during them (tests).
	loads, retries int
}

// snapshot is one loaded view.
type snapshot struct {
	os    *os.File
	model *h5core.File
	gen   uint64
	dsets map[*h5core.Dataset]bool
}

func openFollow(f *File, o options) (*File, error) {
	if f.mode != "r" {
		return nil, opErrf("open", f.path, "Follow with mode %q (a follower only reads: use mode r): %w", f.mode, ErrMode)
	}
	f.readOnly = true
	fl := &follower{every: o.followEvery}
	if fl.every <= 0 {
		fl.every = 10 * time.Millisecond
	}
	ctx := f.ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, followOpenWait)
		defer cancel()
	}
	osf, err := os.Open(f.path)
	if err != nil {
		return nil, openErr(f.path, f.mode, err)
	}
	st, err := osf.Stat()
	if err == nil {
		fl.block, err = h5core.LocateSnapshotBlock(osf, st.Size())
	}
	fl.remote, fl.path = !writesOrdered(osf), f.path
	osf.Close()
	if errors.Is(err, h5core.ErrNoSnapshotBlock) {
		return nil, opErrf("open", f.path, "%w (the writer must use h5file.WithSnapshots; without it, open the file without Follow)", ErrNoSnapshot)
	}
	if err != nil {
		return nil, opErrf("open", f.path, "to follow: %w", err)
	}
	s, err := fl.load(ctx, f.path, 0, true)
	if err != nil {
		return nil, opErr("open", f.path, err)
	}
	f.follow = fl
	f.install(s)
	return f, nil
}

// Generation is the number of flushes the writer had published when the
// view was taken (1 after its Create), for a File opened with Follow; 0
// otherwise.
func (f *File) Generation() uint64 {
	if f.follow == nil {
		return 0
	}
	return f.follow.gen / 2
}

// Next waits until the writer publishes a flush later than the view and
// moves the view to it, all at once: every group, dataset and attribute
// looked up from then on is of the new flush (handles taken before keep
// the old metadata, and their reads fail with ErrSnapshotGone). It
// returns ctx's error if ctx ends first. Only for a File opened with
// Follow.
func (f *File) Next(ctx context.Context) error {
	if err := f.checkFollow(); err != nil {
		return err
	}
	s, err := f.follow.load(ctx, f.path, f.follow.gen, true)
	if err != nil {
		return opErr("follow", f.path, err)
	}
	f.install(s)
	return nil
}

// Poll moves the view to the writer's latest published flush if it is
// later than the view, without waiting for one: it reports whether the
// view moved.
func (f *File) Poll() (bool, error) {
	if err := f.checkFollow(); err != nil {
		return false, err
	}
	s, err := f.follow.load(f.ctx, f.path, f.follow.gen, false)
	if err != nil {
		return false, opErr("follow", f.path, err)
	}
	if s == nil {
		return false, nil
	}
	f.install(s)
	return true, nil
}

func (f *File) checkFollow() error {
	if err := f.check(); err != nil {
		return err
	}
	if f.follow == nil {
		return opErrf("follow", f.path, "the file was not opened with Follow: %w", ErrMode)
	}
	return nil
}

// install makes s the File's view.
func (f *File) install(s *snapshot) {
	if f.os != nil {
		f.os.Close()
	}
	f.os, f.model = s.os, s.model
	f.follow.gen, f.follow.dsets = s.gen, s.dsets
	f.follow.loads++
	f.chunkCaches = nil // decoded chunks of the old view
	f.setRoot()
}

// load returns the first snapshot whose generation is above after. With
// wait it polls until there is one (or ctx ends); without, it returns nil
// if there is none now.
func (fl *follower) load(ctx context.Context, path string, after uint64, wait bool) (*snapshot, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s, err := fl.try(path, after)
		switch {
		case err != nil:
			return nil, err
		case s != nil:
			return s, nil
		case !wait:
			return nil, nil
		}
		t := time.NewTimer(fl.every)
		select {
		case <-ctx.Done():
			t.Stop()
			if after == 0 {
				return nil, fmt.Errorf("no complete flush published before %w (a writer that died while flushing leaves none: open without Follow)", ctx.Err())
			}
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// errMoved is a checked read's signal that a flush was published during
// a load: start again.
var errMoved = errors.New("h5file: a flush was published during the read")

// try loads the snapshot the file holds now if its generation is above
// after and even; nil, nil if there is none (or one was published during
// the load: the caller tries again).
func (fl *follower) try(path string, after uint64) (*snapshot, error) {
	osf, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			osf.Close()
		}
	}()
	gen, err := fl.readGen(osf)
	if err != nil || gen%2 == 1 || gen <= after {
		return nil, err
	}
	st, err := osf.Stat()
	if err != nil {
		return nil, err
	}
	cr := &checkedReader{r: osf, fl: fl, gen: gen, strict: true}
	m, err := h5core.Open(cr, st.Size())
	var dsets map[*h5core.Dataset]bool
	if err == nil {
		dsets, err = loadAll(m)
	}
	if err != nil {
		if now, gerr := fl.readGen(osf); errors.Is(err, errMoved) || gerr != nil || now != gen {
			fl.retries++
			return nil, nil
		}
		return nil, fmt.Errorf("snapshot %d: %w", gen/2, err)
	}
	// Once more through a fresh open: on NFS an open revalidates the
	// client's cache, a read through the open file may not.
	now, err := fl.readGenFresh()
	if err != nil || now != gen {
		fl.retries++
		return nil, nil
	}
	cr.strict = false
	keep = true
	return &snapshot{os: osf, model: m, gen: gen, dsets: dsets}, nil
}

// readGen reads the snapshot block. A torn block (a read that met the
// writer's write of it) is read again: the write is one small pwrite.
func (fl *follower) readGen(r io.ReaderAt) (uint64, error) {
	b := make([]byte, h5core.SnapshotBlockSize)
	var err error
	for range 100 {
		if _, err = r.ReadAt(b, fl.block); err != nil {
			return 0, fmt.Errorf("read snapshot block at %d: %w", fl.block, err)
		}
		var gen uint64
		if gen, err = h5core.DecodeSnapshotBlock(b); err == nil {
			return gen, nil
		}
		if !errors.Is(err, h5core.ErrChecksum) {
			break
		}
	}
	return 0, fmt.Errorf("snapshot block at %d: %w", fl.block, err)
}

// readGenFresh reads the generation through a fresh open of the file.
func (fl *follower) readGenFresh() (uint64, error) {
	f, err := os.Open(fl.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return fl.readGen(f)
}

// loadAll reads every object of m, with its attributes and chunk index,
// so that nothing of the view is read after the load is checked.
func loadAll(m *h5core.File) (map[*h5core.Dataset]bool, error) {
	dsets := map[*h5core.Dataset]bool{}
	err := m.Root().Visit(func(_ string, o h5core.Object) error {
		d, ok := o.(*h5core.Dataset)
		if !ok {
			return nil
		}
		dsets[d] = true
		if d.Layout() == h5core.LayoutChunked {
			_, err := d.Chunks()
			return err
		}
		return nil
	})
	return dsets, err
}

// checkedReader reads the followed file for h5core: while a snapshot
// loads (strict), every read is followed by a read of the generation,
// which must not have moved; after, reads (of global heap collections:
// variable-length values) are good until the writer completes the flush
// after the view's.
type checkedReader struct {
	r      io.ReaderAt
	fl     *follower
	gen    uint64
	strict bool
}

func (c *checkedReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	now, gerr := c.fl.readGen(c.r)
	switch {
	case gerr != nil:
		return n, gerr
	case c.strict && now != c.gen:
		return n, errMoved
	case now > c.gen+1:
		return n, ErrSnapshotGone
	}
	return n, err
}

// checkRead is the check after a followed file's data read: the dataset
// is of the view, and the writer has not completed the flush after it, so
// no space the view refers to has been reused (decision 28).
func (f *File) checkRead(d *h5core.Dataset) error {
	fl := f.follow
	if !fl.dsets[d] {
		return fmt.Errorf("the dataset handle is of an earlier view than generation %d (look it up again after Next): %w", fl.gen/2, ErrSnapshotGone)
	}
	now, err := fl.readGen(f.os)
	if err == nil && fl.remote {
		now, err = fl.readGenFresh()
	}
	if err != nil {
		return err
	}
	if now > fl.gen+1 {
		return fmt.Errorf("the view is of flush %d and the writer has completed flush %d: %w", fl.gen/2, now/2, ErrSnapshotGone)
	}
	return nil
}
