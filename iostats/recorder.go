package iostats

import (
	"sync"
	"sync/atomic"
	"time"
)

// Kind is what a rank's time went to.
type Kind uint8

const (
	KindWrite  Kind = iota // writing raw data (pwrite)
	KindRead               // reading raw data (pread)
	KindFilter             // encoding or decoding filtered chunks
	KindMeta               // metadata: agreement check points, flushes
	KindWait               // waiting for peers in collectives
	numKinds
)

var kindNames = [numKinds]string{"write", "read", "filter", "meta", "wait"}

// String is the kind's name in reports: write, read, filter, meta, wait.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind?"
}

// Bounds that keep a rank's snapshot small whatever the program does:
// files and datasets past these are counted together under one name.
const (
	maxFiles    = 256
	maxDatasets = 4096
	// OtherFiles and OtherDatasets name what is past the bounds.
	OtherFiles    = "(other files)"
	OtherDatasets = "(other datasets)"
)

// Counters are one rank's figures for a dataset or a file. Times are
// nanoseconds. Writes = DirectWrites + TwoPhaseWrites, and the same for
// reads. MetaNs includes MetaWaitNs, the waiting inside check points.
type Counters struct {
	BytesWritten    int64 `json:"bytes_written,omitempty"`     // data bytes the rank's calls wrote
	BytesRead       int64 `json:"bytes_read,omitempty"`        // data bytes the rank's calls read
	Writes          int64 `json:"writes,omitempty"`            // write calls
	Reads           int64 `json:"reads,omitempty"`             // read calls
	DirectWrites    int64 `json:"direct_writes,omitempty"`     // each rank wrote its own runs
	TwoPhaseWrites  int64 `json:"two_phase_writes,omitempty"`  // aggregators wrote for the others
	WriteRounds     int64 `json:"write_rounds,omitempty"`      // rounds of the two-phase writes
	DirectReads     int64 `json:"direct_reads,omitempty"`      //
	TwoPhaseReads   int64 `json:"two_phase_reads,omitempty"`   //
	ReadRounds      int64 `json:"read_rounds,omitempty"`       //
	AggBytesWritten int64 `json:"agg_bytes_written,omitempty"` // bytes this rank wrote to the file as a two-phase aggregator
	AggBytesRead    int64 `json:"agg_bytes_read,omitempty"`    // bytes this rank read from the file as a two-phase aggregator
	WriteNs         int64 `json:"write_ns,omitempty"`
	ReadNs          int64 `json:"read_ns,omitempty"`
	FilterNs        int64 `json:"filter_ns,omitempty"`
	MetaNs          int64 `json:"meta_ns,omitempty"`
	MetaCalls       int64 `json:"meta_calls,omitempty"` // check points and flushes
	MetaWaitNs      int64 `json:"meta_wait_ns,omitempty"`
	WaitNs          int64 `json:"wait_ns,omitempty"` // waiting for peers inside data calls
}

// Add adds o to c.
func (c *Counters) Add(o Counters) {
	c.BytesWritten += o.BytesWritten
	c.BytesRead += o.BytesRead
	c.Writes += o.Writes
	c.Reads += o.Reads
	c.DirectWrites += o.DirectWrites
	c.TwoPhaseWrites += o.TwoPhaseWrites
	c.WriteRounds += o.WriteRounds
	c.DirectReads += o.DirectReads
	c.TwoPhaseReads += o.TwoPhaseReads
	c.ReadRounds += o.ReadRounds
	c.AggBytesWritten += o.AggBytesWritten
	c.AggBytesRead += o.AggBytesRead
	c.WriteNs += o.WriteNs
	c.ReadNs += o.ReadNs
	c.FilterNs += o.FilterNs
	c.MetaNs += o.MetaNs
	c.MetaCalls += o.MetaCalls
	c.MetaWaitNs += o.MetaWaitNs
	c.WaitNs += o.WaitNs
}

// BusyNs is the time the rank spent doing the file's work itself: I/O,
// filters and metadata, less any waiting for others.
func (c Counters) BusyNs() int64 {
	return c.WriteNs + c.ReadNs + c.FilterNs + c.MetaNs - c.MetaWaitNs
}

// OpCounters are one collective operation's figures on one communicator.
type OpCounters struct {
	Calls  int64 `json:"calls"`
	Bytes  int64 `json:"bytes"`   // payload bytes sent and received
	Ns     int64 `json:"ns"`      // time in the calls
	WaitNs int64 `json:"wait_ns"` // of which blocked waiting for a peer's message
}

func (c *OpCounters) add(o OpCounters) {
	c.Calls += o.Calls
	c.Bytes += o.Bytes
	c.Ns += o.Ns
	c.WaitNs += o.WaitNs
}

// Recorder is one rank's statistics. Its methods are safe for concurrent
// use (one mutex: a rank's files, communicators and goroutines share it).
// Callers keep a nil *Recorder when statistics are off and test it first.
//
// What a data call or a collective pays with statistics on is kept to a
// few counter adds under that one uncontended lock and a clock read at
// each end of a timed span (decisions 36 and 43): nothing is allocated
// and no map is looked up per call, and a data call touches only memory
// it touched a moment ago. A dataset object counts into a tally of its
// own, taken from a small ring at its first call (Begin, Direct) and
// folded into its name's record later, in one pass (datasets.go); a
// collective finds its communicator's record in a cache read without the
// lock (Recorder.Comm) and its counters by operation code (Comm.CallOp).
type Recorder struct {
	rank, size int
	start      time.Time
	startUnix  int64

	mu     sync.Mutex
	files  map[string]*File
	order  []*File
	comms  map[uint64]*Comm
	corder []*Comm
	heat   heat

	// commCache holds recently used communicator records, read without
	// the lock: a collective finds its communicator's record here.
	commCache [commCacheSize]atomic.Pointer[Comm]
}

// commCacheSize is the number of communicator records Comm finds without
// the lock: the world, a file's own communicator and a few more.
const commCacheSize = 8

// New returns the recorder of rank of a job of size ranks; its clock
// starts now.
func New(rank, size int) *Recorder {
	now := time.Now()
	return &Recorder{rank: rank, size: size, start: now, startUnix: now.UnixNano(),
		files: map[string]*File{}, comms: map[uint64]*Comm{}, heat: newHeat()}
}

// Now is the recorder's clock: nanoseconds since New, monotonic.
func (r *Recorder) Now() int64 { return int64(time.Since(r.start)) }

// Rank is the rank the recorder belongs to.
func (r *Recorder) Rank() int { return r.rank }

// File returns the record of the file at path, made on first use. Every
// rank names a shared file by the same path, so records merge by it.
func (r *Recorder) File(path string) *File {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f := r.files[path]; f != nil {
		return f
	}
	if len(r.order) >= maxFiles {
		path = OtherFiles
		if f := r.files[path]; f != nil {
			return f
		}
	}
	f := &File{r: r, path: path}
	r.files[path] = f
	r.order = append(r.order, f)
	return f
}

// Comm returns the record of communicator id (the same id on every
// member) of size ranks, made on first use. A collective calls it at its
// start: the communicators in use are found in a small cache without the
// lock.
func (r *Recorder) Comm(id uint64, size int) *Comm {
	slot := &r.commCache[(id*0x9e3779b97f4a7c15)>>61]
	if c := slot.Load(); c != nil && c.id == id {
		return c
	}
	r.mu.Lock()
	c := r.commLocked(id, size)
	r.mu.Unlock()
	slot.Store(c)
	return c
}

func (r *Recorder) commLocked(id uint64, size int) *Comm {
	if c := r.comms[id]; c != nil {
		return c
	}
	c := &Comm{r: r, id: id, size: size, ops: map[string]*OpCounters{}}
	r.comms[id] = c
	r.corder = append(r.corder, c)
	return c
}

// LabelComm names communicator id in the report ("world").
func (r *Recorder) LabelComm(id uint64, size int, label string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.commLocked(id, size).label = label
}

// File is one file's record on one rank.
type File struct {
	r    *Recorder
	path string
	file Counters // file-level: metadata
	ds   datasets // its datasets' records and the tallies not yet folded into them (datasets.go)
	// cur is the dataset object whose data call (curOp) is under way
	// (nil: none): the time spans and waits recorded meanwhile are its.
	cur    *Dataset
	curOp  Op
	inMeta int
}

// Now is the recorder's clock (Recorder.Now).
func (f *File) Now() int64 { return f.r.Now() }

// UseComm makes communicator id the file's own: waiting in its
// collectives is the file's (the current data call's, or its metadata's).
func (f *File) UseComm(id uint64, size int) {
	r := f.r
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.commLocked(id, size)
	c.file = f
	if c.label == "" {
		c.label = "file " + f.path
	}
}

// Op is a data call under way, from Begin to End.
type Op struct {
	d        *Dataset
	name     string // d's dataset's
	write    bool
	twoPhase bool
	rounds   int
}

// Begin starts a data call (write or read) of dataset object d, of the
// dataset name, and returns it. A call made inside another (a collective
// read that reads directly) returns an Op that End ignores: the outer
// call counts.
func (f *File) Begin(d *Dataset, name string, write bool) Op {
	r := f.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if f.cur != nil {
		return Op{}
	}
	f.cur = d
	f.curOp = Op{d: d, name: name, write: write}
	return f.curOp
}

// Direct records a rank's own write or read of bytes (0 if it failed) by
// dataset object d of the dataset name, its time from start on k: one
// direct call of d, in one step (the common call: an independent write
// or read). Inside another call it adds its time and bytes to that
// call's instead.
func (f *File) Direct(d *Dataset, name string, write bool, k Kind, start, bytes int64) {
	r := f.r
	now := r.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.heat.add(k, start, now, bytes)
	ns := now - start
	if cur := f.cur; cur != nil {
		c := f.counters(cur, f.curOp.name)
		switch k {
		case KindWrite:
			c.WriteNs += ns
		case KindRead:
			c.ReadNs += ns
		case KindFilter:
			c.FilterNs += ns
		}
		return
	}
	c := f.counters(d, name)
	switch k {
	case KindWrite:
		c.WriteNs += ns
	case KindRead:
		c.ReadNs += ns
	case KindFilter:
		c.FilterNs += ns
	}
	if write {
		c.Writes++
		c.DirectWrites++
		c.BytesWritten += bytes
		return
	}
	c.Reads++
	c.DirectReads++
	c.BytesRead += bytes
}

// TwoPhase marks the current call as going in two phases, in rounds.
func (f *File) TwoPhase(rounds int) {
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	if f.cur != nil {
		f.curOp.twoPhase, f.curOp.rounds = true, rounds
	}
}

// End ends call op, which moved bytes of data (0 if it failed).
func (f *File) End(op Op, bytes int64) {
	if op.d == nil {
		return
	}
	r := f.r
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := f.curOp
	f.cur, f.curOp = nil, Op{}
	c := f.counters(op.d, op.name)
	if op.write {
		c.Writes++
		c.BytesWritten += bytes
		if cur.twoPhase {
			c.TwoPhaseWrites++
			c.WriteRounds += int64(cur.rounds)
		} else {
			c.DirectWrites++
		}
		return
	}
	c.Reads++
	c.BytesRead += bytes
	if cur.twoPhase {
		c.TwoPhaseReads++
		c.ReadRounds += int64(cur.rounds)
	} else {
		c.DirectReads++
	}
}

// Span records that the rank spent the time from start (a Now) to now on
// k for the current call (the file's own record when there is none);
// bytes, for write and read, are those moved to or from the file in it.
// agg says the bytes were moved as a two-phase aggregator for others.
func (f *File) Span(k Kind, start int64, bytes int64, agg bool) {
	r := f.r
	now := r.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	c := &f.file
	if f.cur != nil {
		c = f.counters(f.cur, f.curOp.name)
	}
	ns := now - start
	switch k {
	case KindWrite:
		c.WriteNs += ns
		if agg {
			c.AggBytesWritten += bytes
		}
	case KindRead:
		c.ReadNs += ns
		if agg {
			c.AggBytesRead += bytes
		}
	case KindFilter:
		c.FilterNs += ns
	case KindWait:
		c.WaitNs += ns
	}
	r.heat.add(k, start, now, bytes)
}

// MetaBegin starts a metadata step (a check point, a flush): waiting in
// the file's collectives until MetaEnd is the metadata's.
func (f *File) MetaBegin() int64 {
	r := f.r
	r.mu.Lock()
	f.inMeta++
	r.mu.Unlock()
	return r.Now()
}

// MetaEnd ends the metadata step started at start.
func (f *File) MetaEnd(start int64) {
	r := f.r
	now := r.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	f.inMeta--
	if f.inMeta == 0 {
		f.file.MetaNs += now - start
		f.file.MetaCalls++
		r.heat.add(KindMeta, start, now, 0)
	}
}

// Comm is one communicator's record on one rank.
type Comm struct {
	r     *Recorder
	id    uint64
	size  int
	label string
	file  *File // the file whose own communicator it is, if any
	ops   map[string]*OpCounters
	// byCode finds an operation's counters by the caller's small code
	// (CallOp), without hashing its name.
	byCode [maxOpCode]*OpCounters
}

// maxOpCode bounds the codes CallOp finds without a lookup by name.
const maxOpCode = 64

// Call records one collective call op that started at start (a Now),
// moved bytes of payload and waited waitNs of its time for peers.
func (c *Comm) Call(op string, start, bytes, waitNs int64) {
	c.CallOp(maxOpCode, op, start, bytes, waitNs)
}

// CallOp is Call for a caller that numbers its operations: code (below
// 64; others are found by name) stands for op, whose name is only read
// the first time. collectives passes its operation codes.
func (c *Comm) CallOp(code uint8, op string, start, bytes, waitNs int64) {
	r := c.r
	now := r.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	var o *OpCounters
	if code < maxOpCode {
		o = c.byCode[code]
	}
	if o == nil {
		if o = c.ops[op]; o == nil {
			o = &OpCounters{}
			c.ops[op] = o
		}
		if code < maxOpCode {
			c.byCode[code] = o
		}
	}
	o.Calls++
	o.Bytes += bytes
	o.Ns += now - start
	o.WaitNs += waitNs
	if waitNs <= 0 {
		return
	}
	if f := c.file; f != nil {
		switch {
		case f.inMeta > 0:
			f.file.MetaWaitNs += waitNs
			return // the metadata span covers it in the timeline
		case f.cur != nil:
			f.counters(f.cur, f.curOp.name).WaitNs += waitNs
		default:
			f.file.WaitNs += waitNs
		}
	}
	// The waits of a call are spread over it; the timeline puts them at
	// its end.
	r.heat.add(KindWait, max(start, now-waitNs), now, 0)
}
