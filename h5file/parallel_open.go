package h5file

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5core"
)

// Opening a file with many ranks: rank 0 alone reads the metadata and
// shares it, so N ranks cost one metadata read of the file, not N (a
// metadata storm is a known complaint about parallel HDF5 on parallel
// filesystems). Rank 0 opens h5core (the superblock and the root group)
// and broadcasts the byte ranges it read; the others open h5core over
// those ranges. Everything else is read when a rank first touches it,
// from rank 0's metadata server (parallel_metaserve.go, ARCHITECTURE.md
// decision 35).
//
// Rank 0 also creates or truncates the file, and decides mode "a"
// (create or open), before the broadcast: the others open the file after
// it, so none of them truncates data another rank wrote.

// openMsg is rank 0's answer to an open.
type openMsg struct {
	Create bool
	Err    string // rank 0 could not open: the others fail with this text
	Kind   string // "exists", "notfound", "readonly": sentinel for Err
	Size   int64
	Spans  []span
}

// span is a byte range of the file rank 0 read.
type span struct {
	Off  int64
	Data []byte
}

func openParallel(f *File, c *comm.Comm) (*File, error) {
	ctx := f.ctx
	f.userComm = c
	dc, err := dupComm(ctx, c)
	if err != nil {
		return nil, opErr("open", f.path, err)
	}
	f.comm, f.par = dc, &parallel{}
	// The metadata server's own communicator: its requests, made at any
	// time by any rank, meet no collective of the file.
	mc, err := dupComm(ctx, dc)
	if err != nil {
		return nil, opErr("open", f.path, err)
	}
	f.startStats(c) // iostats
	var msg openMsg
	var rootErr error
	if dc.Rank() == 0 {
		rootErr = f.openRoot(&msg)
		if rootErr != nil {
			// The cause alone: the others name the operation and path.
			cause := rootErr
			if oe, ok := rootErr.(*OpError); ok {
				cause = oe.Err
			}
			msg = openMsg{Err: cause.Error(), Kind: errKind(rootErr)}
		}
	}
	if err := collectives.BcastValue(ctx, dc, &msg, 0); err != nil {
		if f.os != nil {
			f.os.Close()
		}
		return nil, opErrf("open", f.path, "receiving the metadata from rank 0: %w", err)
	}
	if msg.Err != "" {
		if rootErr != nil {
			return nil, rootErr
		}
		return nil, opErr("open", f.path, &rankError{msg: "rank 0 could not open it: " + msg.Err, kind: kindErr(msg.Kind)})
	}
	var localErr error
	if dc.Rank() != 0 {
		localErr = f.openOther(&msg, mc)
	} else if f.cache != nil {
		f.server = startMetaServer(ctx, mc, f.cache)
	}
	call := fmt.Sprintf("Open(%q, %q)", filepath.Base(f.path), f.mode)
	if localErr != nil {
		// Still take part in the agreement, so the others fail too
		// instead of waiting for this rank.
		call += " -> error"
		f.model = h5core.NewFile()
	}
	f.setRoot()
	if !msg.Create && !f.readOnly {
		// Storage a libhdf5 file never allocated is allocated at the
		// first write of its dataset, not found by a walk of the whole
		// file here (parallel_meta_alloc.go, decision 42).
		f.late = lateDone{}
	}
	var err2 error
	if msg.Create && localErr == nil {
		err2 = f.flush(call)
	} else {
		err2 = f.checkpoint(call)
	}
	if localErr != nil || err2 != nil {
		f.stopMetaServer()
		if f.os != nil {
			f.os.Close()
		}
		if localErr != nil {
			return nil, localErr
		}
		return nil, err2
	}
	return f, nil
}

// openRoot is rank 0's part: open (or create) the file and read its
// metadata through a recorder.
func (f *File) openRoot(msg *openMsg) error {
	// Rank 0 decides mode "a" for everyone: the others would see the file
	// it is about to create.
	flag, create := openFlags(f.path, f.mode)
	// Rank 0 locks the file for the job (filelock.go); the others do not,
	// or they would conflict with it.
	osf, err := openLocked(f.path, f.mode, flag, create, false)
	if err != nil {
		return err
	}
	f.os = osf
	msg.Create = create
	if create {
		f.model = f.newModel()
		return f.setupSnapshots(true)
	}
	st, err := osf.Stat()
	if err != nil {
		return opErr("open", f.path, err)
	}
	f.cache = &metaReader{file: osf}
	f.cache.cache.limit, f.cache.cache.ordered = f.metaLimit, true
	rec := &recorder{r: f.cache}
	m, err := h5core.Open(rec, st.Size())
	if err != nil {
		return opErr("open", f.path, err)
	}
	f.model = m
	if err := f.checkWritable(); err != nil {
		return err
	}
	if err := f.setupSnapshots(false); err != nil {
		return err
	}
	msg.Size, msg.Spans = st.Size(), rec.reads()
	return nil
}

// openOther is the part of ranks other than 0: open the file rank 0
// created or checked, and build the model from rank 0's bytes.
func (f *File) openOther(msg *openMsg, mc *comm.Comm) error {
	// The file exists now (rank 0 created or checked it): open it as it is.
	flag := modeFlags[f.mode] &^ (os.O_CREATE | os.O_TRUNC | os.O_EXCL)
	osf, err := os.OpenFile(f.path, flag, 0)
	if err != nil {
		return openErr(f.path, f.mode, err)
	}
	f.os = osf
	if msg.Create {
		f.model = f.newModel()
		return nil
	}
	f.cache = &metaReader{file: osf, fetch: metaClient(f.ctx, mc)}
	f.cache.cache.limit = f.metaLimit
	for _, s := range msg.Spans {
		f.cache.cache.put(s.Off, s.Data)
	}
	m, err := h5core.Open(f.cache, msg.Size)
	if err != nil {
		return opErrf("open", f.path, "from rank 0's metadata: %w", err)
	}
	f.model = m
	return f.checkWritable()
}

// stopMetaServer ends rank 0's metadata server, if it runs: at Close,
// after the last collective (no rank asks for metadata after it), or when
// the open failed.
func (f *File) stopMetaServer() {
	if f.server != nil {
		f.server.stop()
		f.server = nil
	}
}

func errKind(err error) string {
	switch {
	case errors.Is(err, ErrExists):
		return "exists"
	case errors.Is(err, fs.ErrNotExist):
		return "notfound"
	case errors.Is(err, ErrReadOnly):
		return "readonly"
	case errors.Is(err, ErrLocked):
		return "locked"
	}
	return ""
}

// kindErr is the sentinel rank 0's error matched (errKind), nil if none.
func kindErr(kind string) error {
	switch kind {
	case "exists":
		return ErrExists
	case "notfound":
		return fs.ErrNotExist
	case "readonly":
		return ErrReadOnly
	case "locked":
		return ErrLocked
	}
	return nil
}

// rankError is another rank's error as it reached this one: its text, and
// the sentinel it matched so errors.Is still works here.
type rankError struct {
	msg  string
	kind error
}

func (e *rankError) Error() string { return e.msg }
func (e *rankError) Unwrap() error { return e.kind }

// recorder is an io.ReaderAt that keeps what it read.
type recorder struct {
	r    io.ReaderAt
	mu   sync.Mutex
	got  []span
	done bool // reads returned: record no more (the model keeps reading through it)
}

func (r *recorder) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.r.ReadAt(p, off)
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	if n > 0 && !done {
		r.mu.Lock()
		r.got = append(r.got, span{Off: off, Data: append([]byte(nil), p[:n]...)})
		r.mu.Unlock()
	}
	return n, err
}

// reads returns what was read, in the order it was read: the others'
// h5core makes the same reads at open, served from these.
func (r *recorder) reads() []span {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = true
	got := r.got
	r.got = nil
	return got
}

// MetadataReads is how many times this rank read metadata from the file
// itself rather than from rank 0 (always 0 on rank 0, whose reads are not
// counted, and for new files; ranks > 0 ask rank 0 for everything, so 0
// there too). Tests use it to prove that N ranks opening a file cost one
// metadata read.
func (f *File) MetadataReads() int64 {
	if f.cache == nil {
		return 0
	}
	return f.cache.misses.Load()
}

// MetadataIO counts how a parallel file's metadata reached this rank
// since it was opened (zero for serial and new files).
type MetadataIO struct {
	// FileReads and FileBytes: metadata reads of the file (rank 0, which
	// reads for every rank, each byte range once between flushes).
	FileReads, FileBytes int64
	// Requests and RequestBytes: what this rank asked rank 0 for (ranks >
	// 0), beyond what rank 0 sent with the open.
	Requests, RequestBytes int64
}

// MetadataIO reports this rank's metadata reads (see MetadataIO): tests
// and benchmarks use it to show that an open reads only what is touched.
func (f *File) MetadataIO() MetadataIO {
	if f.cache == nil {
		return MetadataIO{}
	}
	c := f.cache
	return MetadataIO{FileReads: c.fileReads.Load(), FileBytes: c.fileBytes.Load(), Requests: c.requests.Load(), RequestBytes: c.reqBytes.Load()}
}
