package h5file

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"sync/atomic"
	"time"

	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/iostats"
)

// File is an open HDF5 file: h5py's File. It is also its root group.
// A File is safe for use by one goroutine at a time; calls from several
// goroutines must be serialised by the caller, as with h5py.
type File struct {
	root       *Group
	libver     Libver // family of a file this call creates
	trackOrder bool   // its objects track creation order
	path       string
	mode       string
	os         *os.File
	model      *h5core.File
	readOnly   bool
	closed     bool
	ctx        context.Context
	// comm is the file's own communicator (a Dup of userComm, so the file's
	// collectives never meet the caller's); nil for a serial file.
	comm     *comm.Comm
	userComm *comm.Comm
	par      *parallel // non-nil with more than one rank
	// smallBatch: WithSmallWriteBatching (parallel_meta_small.go).
	smallBatch bool
	cache      *metaReader      // a parallel opened file's metadata reads (parallel_metaserve.go)
	late       lateDone         // a parallel file opened for writing: datasets whose storage is complete (parallel_meta_alloc.go)
	metaLimit  int64            // bytes of metadata ranges a rank keeps (WithMetadataCache)
	server     *metaServer      // rank 0's metadata server, while the file is open
	failed     error            // after ranks disagreed: returned by every call
	atomic     bool             // SetAtomic: byte-range locks around raw data I/O
	external   map[string]*File // files opened through external links, by path (extlink.go)
	// twoPhase is the file's two-phase knobs (parallel_twophase.go);
	// twoPhaseWrites counts this rank's collective writes that went in
	// two phases (tests), twoPhaseReads its collective reads.
	twoPhase twoPhaseConfig
	// chunkCache is WithChunkCache's knobs; chunkCaches each filtered
	// dataset's cache of decoded chunks (chunk_cache.go). chunkReader, if
	// set, replaces os for chunk reads (tests count reads with it).
	chunkCache     chunkCacheConfig
	chunkCaches    map[*h5core.Dataset]*chunkCache
	chunkReader    io.ReaderAt
	twoPhaseWrites int
	twoPhaseReads  int
	// twoPhaseAggregated counts the two-phase calls in which this rank
	// was an aggregator (tests).
	twoPhaseAggregated int
	align              *alignHint // WithAlignment
	// rawWriteCalls counts the write calls of independent raw data
	// writes (rawio_vec.go; tests).
	rawWriteCalls int
	// mapState: whether independent writes of many short runs may go
	// through a mapping (rawio_map.go); mappedWrites counts those that
	// did, testHookMapped runs after each window is mapped and
	// testMapWindow replaces the window size (tests).
	mapState     mapState
	mappedWrites int
	// prealloc: whether long runs are fallocated before their writes
	// (rawio_prealloc.go); preallocs counts the fallocate calls (tests).
	prealloc       preallocState
	preallocs      int
	testHookMapped func()
	testMapWindow  uint64
	indep          *indepState   // this rank's own creations until the next flush (independent.go)
	stats          *iostats.File // the job's I/O report (iostats.go); nil when off
	statsElems     uint64        // the elements of the data call under way (statsCall), when on
	// snapshots: WithSnapshots; snap is the metadata writer that
	// publishes each flush (rank 0 or serial; follow_write.go); follow a
	// file opened with Follow (follow.go).
	snapshots bool
	snap      *snapshotWriter
	lockWait  time.Duration
	follow    *follower
}

// Root is the file's root group "/". The File's own group methods
// (file_root.go) are the root group's.
func (f *File) Root() *Group { return f.root }

// Option configures Create and Open.
type Option func(*options)

type options struct {
	ctx         context.Context
	comm        *comm.Comm
	smallBatch  bool
	twoPhase    twoPhaseConfig
	libver      Libver
	trackOrder  bool
	chunkCache  *chunkCacheConfig // WithChunkCache (chunk_cache.go)
	align       *alignHint        // WithAlignment (options_layout.go)
	aggSet      bool              // WithAggregators was given
	snapshots   bool              // WithSnapshots (follow_write.go)
	metaLimit   *int64            // WithMetadataCache (parallel_metaserve.go)
	follow      bool              // Follow (follow.go)
	followEvery time.Duration     // FollowInterval
	lockWait    time.Duration     // SnapshotLockWait (follow_write.go)
	lockWaitSet bool
	noMap       bool // WithMappedWrites(false) (rawio_map.go)
	noPrealloc  bool // WithPreallocation(false) (rawio_prealloc.go)
}

// Libver is a file format family, as h5py's libver argument names them.
type Libver int

const (
	// LibverEarliest is the classic format every HDF5 reader opens
	// (superblock 0, version 1 object headers, symbol table groups): the
	// default, and what h5py writes by default.
	LibverEarliest Libver = iota
	// LibverLatest is h5py's libver='latest' (libhdf5 1.10): superblock 3,
	// version 2 object headers with checksums, groups of link messages.
	// Readers need libhdf5 1.8 or later.
	LibverLatest
)

// WithLibver selects the format family of a file Create makes (h5py's
// File(path, 'w', libver='latest')). A file that exists keeps its own
// family when opened with r+ or a, as with libhdf5: objects added to it
// take the file's family.
func WithLibver(v Libver) Option { return func(o *options) { o.libver = v } }

// WithTrackOrder makes every group and object of a file Create makes
// track the creation order of its links and attributes, so h5py lists
// them in that order (h5py's track_order=True for every object).
func WithTrackOrder() Option { return func(o *options) { o.trackOrder = true } }

// WithContext sets the context that bounds every blocking call on the file
// (Flush, Close and, with a communicator, every collective metadata call).
// h5py's API has no context argument; a file-level context keeps the
// h5py shape (d.Write(x), not d.Write(ctx, x)) and still lets a caller
// cancel a job that hangs. Default: context.Background().
func WithContext(ctx context.Context) Option { return func(o *options) { o.ctx = ctx } }

// WithComm opens the file on every rank of c: the Go of h5py's
// File(path, mode, driver='mpio', comm=comm). With a nil communicator or
// one of size 1 the file is serial. Otherwise:
//
//   - Open, Create, Flush, Close and every metadata-changing call (groups,
//     datasets, attributes, Resize, links, writes of variable-length data)
//     are collective: every rank makes them in the same order with the
//     same arguments. Each rank applies them to its own copy of the
//     metadata; ranks compare a digest of the calls at Flush, Close,
//     Resize, collective data writes and every 4096 calls. A rank that
//     made another call gets, on every rank, a *MismatchError naming the
//     call and the ranks (errors.Is(err, ErrMismatch)); the file is then
//     unusable and stays on disk as of the last good flush.
//   - Writes of fixed-size data to contiguous and unfiltered chunked
//     datasets are independent: each rank writes its selection straight
//     to the file. Compressed (filtered) datasets are written collectively
//     (Dataset.Collective), variable-length and compact data too (WriteSel
//     is then collective: every rank calls it). SetAtomic gives MPI's
//     atomic mode.
//   - Rank 0 creates the file, reads the metadata of an existing one and
//     shares it (the other ranks read none), and alone writes metadata.
func WithComm(c *comm.Comm) Option { return func(o *options) { o.comm = c } }

// WithSmallWriteBatching lets a parallel file hold each rank's small
// independent writes to contiguous datasets (up to 512 bytes each, 1 MiB
// a rank) until the next Flush or Close, where rank 0 writes them, merged
// where they touch: a rank writing its element of each of a thousand
// small datasets then costs no pwrite per element. Like an MPI-IO hint,
// it changes what other ranks see: a write is visible to them only after
// Flush or Close (MPI's non-atomic rule), not after a Barrier; a rank
// always sees its own writes. Small data goes through rank 0. Atomic mode
// holds nothing back. Off by default; serial files ignore it.
func WithSmallWriteBatching() Option { return func(o *options) { o.smallBatch = true } }

// Create creates a file: mode "w" truncates an existing file, "w-" or "x"
// fails with ErrExists if it exists. Create(path) with no mode is "w".
func Create(path string, mode string, opts ...Option) (*File, error) {
	switch mode {
	case "":
		mode = "w"
	case "w", "w-", "x":
	default:
		return nil, opErrf("create", path, "mode %q (use w, w- or x; Open takes r, r+ and a): %w", mode, ErrMode)
	}
	return Open(path, mode, opts...)
}

// Open opens a file with h5py's modes: "r" read-only (the default), "r+"
// read/write (must exist), "w" create or truncate, "w-"/"x" create and fail
// if it exists, "a" read/write if it exists and create otherwise.
//
// The file is locked while it is open, as libhdf5 locks it: exclusively
// for writing, shared for reading. A file another process (h5py, or
// another rank that forgot WithComm) holds is ErrLocked, with who holds
// it and what to do; HDF5_USE_FILE_LOCKING=FALSE turns locking off.
func Open(path string, mode string, opts ...Option) (*File, error) {
	o := options{twoPhase: defaultTwoPhase}
	for _, opt := range opts {
		opt(&o)
	}
	if o.ctx == nil {
		o.ctx = context.Background()
	}
	if err := o.ctx.Err(); err != nil {
		return nil, err
	}
	if mode == "" {
		mode = "r"
	}
	if _, ok := modeFlags[mode]; !ok {
		return nil, opErrf("open", path, "mode %q: %w", mode, ErrMode)
	}
	if err := o.checkHints(); err != nil {
		return nil, opErr("open", path, err)
	}
	f := &File{path: path, mode: mode, ctx: o.ctx, readOnly: mode == "r", smallBatch: o.smallBatch, twoPhase: o.twoPhase, libver: o.libver, trackOrder: o.trackOrder, chunkCache: defaultChunkCache, align: o.align}
	if o.chunkCache != nil {
		if err := o.chunkCache.check(); err != nil {
			return nil, opErr("open", path, err)
		}
		f.chunkCache = *o.chunkCache
	}
	f.snapshots, f.lockWait = o.snapshots, defaultLockWait
	if o.noMap {
		f.mapState = mapOff
	}
	if o.noPrealloc {
		f.prealloc = preallocOff
	}
	f.metaLimit = defaultMetadataCache
	if o.metaLimit != nil {
		f.metaLimit = *o.metaLimit
	}
	if o.lockWaitSet {
		f.lockWait = o.lockWait
	}
	if o.follow {
		return openFollow(f, o)
	}
	if o.comm != nil && o.comm.Size() > 1 {
		return openParallel(f, o.comm)
	}
	f.userComm = o.comm
	f.startStats(o.comm) // iostats
	flag, create := openFlags(path, mode)
	osf, err := openLocked(path, mode, flag, create, true)
	if err != nil {
		return nil, err
	}
	f.os = osf
	if create {
		f.model = f.newModel()
	} else {
		st, err := osf.Stat()
		if err != nil {
			osf.Close()
			return nil, opErr("open", path, err)
		}
		m, err := h5core.Open(serialMetaReader(osf), st.Size())
		if err != nil {
			osf.Close()
			return nil, opErr("open", path, err)
		}
		f.model = m
		if err := f.checkWritable(); err != nil {
			osf.Close()
			return nil, err
		}
	}
	f.setRoot()
	if err := f.setupSnapshots(create); err != nil {
		osf.Close()
		return nil, err
	}
	if create {
		// A new file is on disk (valid, empty) as soon as Create returns, as
		// with h5py.
		if err := f.flush("Create"); err != nil {
			osf.Close()
			return nil, err
		}
	}
	return f, nil
}

// serialMeta is the reader a serial file's model reads its metadata
// through, from Open to Close: the file itself; tests count the bytes
// (export_test.go) to prove an open reads only what is touched.
var serialMeta atomic.Pointer[func(*os.File) io.ReaderAt]

// serialMetaReader is the reader serialMeta chooses (the file itself).
func serialMetaReader(f *os.File) io.ReaderAt {
	if m := serialMeta.Load(); m != nil {
		return (*m)(f)
	}
	return f
}

// modeFlags is h5py's modes as open(2) flags: the one place a mode is
// decided (h5py's make_fid). "a" is "r+" or "x", whichever applies
// (openFlags).
var modeFlags = map[string]int{
	"r":  os.O_RDONLY,
	"r+": os.O_RDWR,
	"w":  os.O_RDWR | os.O_CREATE | os.O_TRUNC,
	"w-": os.O_RDWR | os.O_CREATE | os.O_EXCL,
	"x":  os.O_RDWR | os.O_CREATE | os.O_EXCL,
	"a":  os.O_RDWR,
}

// openFlags returns the flags that open path with a valid mode, and
// whether they create a new file. Mode "a" looks at the file: in a
// parallel file only rank 0 asks, and the others follow its answer.
func openFlags(path, mode string) (flag int, create bool) {
	flag = modeFlags[mode]
	if mode == "a" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			flag = modeFlags["x"]
		}
	}
	return flag, flag&os.O_CREATE != 0
}

func (f *File) setRoot() {
	f.applyAlignment()
	f.root = &Group{object: object{f: f, name: "/", core: f.model.Root()}, g: f.model.Root()}
}

// checkWritable refuses to open for writing a file whose format h5core
// only reads.
func (f *File) checkWritable() error {
	if !f.readOnly && f.model.Writable() != nil {
		return opErrf("open", f.path, "for writing: %v (open it with mode r): %w", f.model.Writable(), ErrReadOnly)
	}
	return nil
}

func openErr(path, mode string, err error) error {
	if errors.Is(err, fs.ErrExist) {
		return opErrf("create", path, "mode %q: file exists (use mode w to truncate): %w", mode, ErrExists)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path once: the OpError names it
	}
	return opErr("open", path, err)
}

// Filename is the path the file was opened with.
func (f *File) Filename() string { return f.path }

// Mode is "r" for a read-only file and "r+" otherwise, as h5py reports it.
func (f *File) Mode() string {
	if f.readOnly {
		return "r"
	}
	return "r+"
}

// Comm is the communicator the file was opened with (nil for a serial file).
func (f *File) Comm() *comm.Comm { return f.userComm }

// check is the guard at the top of every call: closed files and cancelled
// contexts stop here.
func (f *File) check() error {
	if f.closed {
		return ErrClosed
	}
	if f.failed != nil {
		return f.failed
	}
	if err := f.ctx.Err(); err != nil {
		if f.par != nil {
			f.abandon(err)
		}
		return err
	}
	return nil
}

func (f *File) checkWrite() error {
	if err := f.check(); err != nil {
		return err
	}
	if f.readOnly {
		return opErrf("write to", f.path, "the file was opened with mode r (open with r+ or a to write): %w", ErrReadOnly)
	}
	return nil
}

// Flush writes the metadata to disk (raw data is already there) so that the
// file on disk is complete and readable while it stays open: by a File of
// this process opened read-only, and by h5dump or h5py run with
// HDF5_USE_FILE_LOCKING=FALSE (the file is locked while open for writing,
// as libhdf5 locks it; filelock.go). In a
// file opened with a communicator (WithComm), of any size, Flush is also
// MPI_File_sync: the data and metadata of every rank reach the disk (one
// fsync) before it returns.
func (f *File) Flush() error {
	if err := f.check(); err != nil {
		return err
	}
	if f.readOnly {
		return nil
	}
	return f.flush("Flush")
}

// flush writes the metadata. In a parallel file it is a check point
// logged as call ("Flush", "Close", "Create"): rule 5 of a parallel file,
// every rank's data writes are done before rank 0 writes the metadata
// (the check point's exchange is the barrier), and the metadata is on disk
// before any rank's Flush returns (flushed).
func (f *File) flush(call string) error {
	if st := f.stats; st != nil { // iostats: a metadata step
		defer st.MetaEnd(st.MetaBegin())
	}
	if f.par == nil {
		cerr, werr, _ := f.mergeIndependent(call) // independent_apply.go
		if werr != nil {
			return werr
		}
		if err := f.model.Flush(f.metaWriter()); err != nil {
			return opErr("flush", f.path, err)
		}
		// A file opened with a communicator keeps MPI's meaning at one
		// rank too: Flush is MPI_File_sync. A plain serial file flushes
		// like h5py's default driver, without fsync.
		if call == "Flush" && f.userComm != nil {
			if err := f.os.Sync(); err != nil {
				return opErrf("flush", f.path, "sync: %w", err)
			}
		}
		return cerr
	}
	var serr error
	if call == "Flush" || (call == "Close" && f.syncOnClose()) { // netfs.go
		// MPI_File_sync: every rank syncs the data it wrote (as ROMIO's
		// does) before the check point, so a rank that finished its
		// writes early starts the writeback while others still write;
		// rank 0 syncs the metadata after writing it.
		if err := f.os.Sync(); err != nil {
			serr = opErrf("flush", f.path, "sync: %w", err)
		}
	}
	if err := f.exchangeRecords(f.ctx, call); err != nil {
		f.writeHeld() // the file is unusable; the data still goes to disk
		return err
	}
	// The ranks' own creations (independent_apply.go): a collision (cerr)
	// is every rank's answer but not a failed flush.
	cerr, werr, err := f.mergeIndependent(call)
	if err != nil {
		return err
	}
	// Data first (rule 5): the ranks' held small writes, then metadata.
	ferr, err := f.gatherHeld()
	if err != nil {
		return err
	}
	if ferr == nil {
		ferr = werr
	}
	if ferr == nil {
		ferr = f.flushModel(call)
	}
	if ferr == nil {
		ferr = serr // reported after the model's flush, which keeps the ranks' allocators in step
	}
	if f.cache != nil {
		f.cache.invalidate() // the file changed under the kept copy
	}
	if err := f.flushed(f.ctx, ferr); err != nil {
		return err
	}
	return cerr
}

// flushModel writes the metadata (rank 0; the others run the same Flush
// into a discarding writer) and, for an explicit Flush, syncs.
func (f *File) flushModel(call string) error {
	if call == "Close" && f.comm.Rank() != 0 {
		// The others flush only to keep their allocators in step with
		// rank 0's for later calls; after Close there are none, so the
		// encoding would be thrown away (an eighth of a rank's time in
		// the metadata benchmark). Rank 0's status reaches everyone.
		return nil
	}
	if err := f.model.Flush(f.metaWriter()); err != nil {
		return opErr("flush", f.path, err)
	}
	if call == "Flush" && f.comm.Rank() == 0 {
		// An explicit Flush is MPI_File_sync (as h5py's mpio driver does):
		// every rank synced its own data before the check point; this
		// sync covers the data held and written by rank 0 just now and
		// the metadata.
		if err := f.os.Sync(); err != nil {
			return opErrf("flush", f.path, "sync: %w", err)
		}
	}
	return nil
}

// Close flushes (for writable files) and closes the file. Every later call
// on the file or its objects returns ErrClosed. Closing twice is not an
// error. In a parallel file Close is collective (a check point, read-only
// files included); after ranks disagreed it closes without writing and
// returns the disagreement again.
func (f *File) Close() error {
	if f.closed {
		return nil
	}
	var err error
	switch {
	case f.failed != nil:
		err = f.failed
		f.writeHeld() // no metadata is written, but the data goes to disk
	case !f.readOnly:
		err = f.flush("Close")
		if f.snap != nil && err == nil {
			if terr := f.snap.trim(); terr != nil { // follow_write.go
				err = opErrf("close", f.path, "give back the space grown ahead: %w", terr)
			}
		}
	case f.par != nil:
		err = f.checkpoint("Close")
	}
	f.stopMetaServer() // after the last collective: no rank asks any more
	if st := f.stats; st != nil {
		st.Closed() // iostats: the datasets' tallies fold now
	}
	if cerr := f.os.Close(); err == nil && cerr != nil {
		err = opErr("close", f.path, cerr)
	}
	if cerr := f.closeExternal(); err == nil && cerr != nil {
		err = cerr
	}
	f.closed = true
	return err
}

// newModel returns the model of a new file in the family WithLibver chose.
func (f *File) newModel() *h5core.File {
	var opts []h5core.Option
	if f.libver == LibverLatest {
		opts = append(opts, h5core.WithLibver(h5core.LibverLatest))
	}
	if f.trackOrder {
		opts = append(opts, h5core.WithTrackOrder())
	}
	if f.snapshots {
		opts = append(opts, h5core.WithSnapshotBlock())
	}
	return h5core.NewFile(opts...)
}
