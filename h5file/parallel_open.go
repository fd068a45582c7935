package h5file

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/gorun-hpc/gorun/collectives"
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/h5core"
)

// Opening a file with many ranks: rank 0 alone reads the metadata and
// shares it, so N ranks cost one metadata read of the file, not N (a
// metadata storm is a known complaint about parallel HDF5 on parallel
// filesystems). Rank 0 opens h5core over a recording reader, walks what
// a program may touch (chunk indexes, variable-length attribute values),
// and broadcasts the byte ranges it read; the others open h5core over
// those ranges, reading the file only for a range rank 0 did not read
// (counted: MetadataReads).
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
		localErr = f.openOther(&msg)
	}
	call := fmt.Sprintf("Open(%q, %q)", filepath.Base(f.path), f.mode)
	if localErr != nil {
		// Still take part in the agreement, so the others fail too
		// instead of waiting for this rank.
		call += " -> error"
		f.model = h5core.NewFile()
	}
	f.setRoot()
	if localErr == nil && !msg.Create && !f.readOnly {
		localErr = f.allocateLate()
	}
	var err2 error
	if msg.Create && localErr == nil {
		err2 = f.flush(call)
	} else {
		err2 = f.checkpoint(call)
	}
	if localErr != nil || err2 != nil {
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
	rec := &recorder{r: osf}
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
	warm(m)
	msg.Size, msg.Spans = st.Size(), rec.spans()
	return nil
}

// openOther is the part of ranks other than 0: open the file rank 0
// created or checked, and build the model from rank 0's bytes.
func (f *File) openOther(msg *openMsg) error {
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
	f.cache = newCacheReader(msg.Spans, osf)
	m, err := h5core.Open(f.cache, msg.Size)
	if err != nil {
		return opErrf("open", f.path, "from rank 0's metadata: %w", err)
	}
	f.model = m
	if err := f.checkWritable(); err != nil {
		return err
	}
	warm(m) // the same walk as rank 0: served from its bytes, and every rank's model holds the same
	return nil
}

// warm loads what h5core reads lazily: chunk indexes and the heap
// objects of variable-length attributes.
func warm(m *h5core.File) {
	visit := func(o h5core.Object) {
		if d, ok := o.(*h5core.Dataset); ok && d.Layout() == h5core.LayoutChunked {
			_, _ = d.Chunks()
		}
		for _, a := range o.Attrs() {
			if a.Type == nil || !a.Type.HasVlen() || a.Type.Class != h5core.ClassVlen {
				continue
			}
			for off := 0; off+h5core.VlenRefSize <= len(a.Data); off += h5core.VlenRefSize {
				if ref, err := h5core.DecodeVlenRef(a.Data[off:]); err == nil && ref.Addr != 0 {
					_, _ = m.GetVlen(ref)
				}
			}
		}
	}
	visit(m.Root())
	_ = m.Root().Visit(func(_ string, o h5core.Object) error {
		visit(o)
		return nil
	})
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
	r   io.ReaderAt
	mu  sync.Mutex
	got []span
}

func (r *recorder) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.r.ReadAt(p, off)
	if n > 0 {
		r.mu.Lock()
		r.got = append(r.got, span{Off: off, Data: append([]byte(nil), p[:n]...)})
		r.mu.Unlock()
	}
	return n, err
}

// spans merges the recorded reads into sorted, non-overlapping ranges.
func (r *recorder) spans() []span {
	r.mu.Lock()
	defer r.mu.Unlock()
	in := append([]span(nil), r.got...)
	sort.Slice(in, func(i, j int) bool { return in[i].Off < in[j].Off })
	var out []span
	for _, s := range in {
		if k := len(out) - 1; k >= 0 && s.Off <= out[k].Off+int64(len(out[k].Data)) {
			last := &out[k]
			end := last.Off + int64(len(last.Data))
			if e := s.Off + int64(len(s.Data)); e > end {
				last.Data = append(last.Data, s.Data[end-s.Off:]...)
			}
			continue
		}
		out = append(out, span{Off: s.Off, Data: append([]byte(nil), s.Data...)})
	}
	return out
}

// cacheReader serves reads from rank 0's spans and falls back to the file
// for anything else (counted). Once the file has been flushed, the spans
// may describe space the flush reused, so every read goes to the file.
type cacheReader struct {
	spans  []span
	file   io.ReaderAt
	stale  atomic.Bool
	misses atomic.Int64
}

func newCacheReader(spans []span, file io.ReaderAt) *cacheReader {
	return &cacheReader{spans: spans, file: file}
}

func (c *cacheReader) ReadAt(p []byte, off int64) (int, error) {
	if !c.stale.Load() {
		i := sort.Search(len(c.spans), func(i int) bool { return c.spans[i].Off+int64(len(c.spans[i].Data)) > off })
		if i < len(c.spans) && c.spans[i].Off <= off && off+int64(len(p)) <= c.spans[i].Off+int64(len(c.spans[i].Data)) {
			return copy(p, c.spans[i].Data[off-c.spans[i].Off:]), nil
		}
	}
	c.misses.Add(1)
	return c.file.ReadAt(p, off)
}

// MetadataReads is how many times this rank read metadata from the file
// itself rather than from what rank 0 shared when the file was opened
// (always 0 on rank 0, whose reads are not counted, and for new files).
// Tests use it to prove that N ranks opening a file cost one metadata read.
func (f *File) MetadataReads() int64 {
	if f.cache == nil {
		return 0
	}
	return f.cache.misses.Load()
}
