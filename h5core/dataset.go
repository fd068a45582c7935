package h5core

import (
	"fmt"
	"sort"
)

// DatasetSpec describes a dataset to create.
type DatasetSpec struct {
	Type     *Datatype
	Shape    []uint64 // empty: scalar
	MaxShape []uint64 // nil: same as Shape; Unlimited marks an unlimited dimension (needs Chunk)
	Chunk    []uint64 // non-nil: chunked layout with these chunk dimensions
	Compact  bool     // compact layout (data kept in the object header, < 64 KiB)
	Filters  []Filter // pipeline in encoding order (chunked only); see H5pyFilters
	Fill     []byte   // one element; nil: the default (zero bytes)
	Null     bool     // a null dataspace (h5py.Empty): no Shape, no storage
	// Named, if set, is a committed datatype of this file the dataset
	// shares (h5py's dtype=f['t']); Type may then be nil, or must equal it.
	Named *NamedType
}

// Dataset is a dataset: a typed, shaped array stored compactly, in one
// contiguous block or in chunks.
type Dataset struct {
	object
	dtype    *Datatype
	shape    []uint64
	maxShape []uint64
	layout   LayoutClass
	chunk    []uint64 // chunk dims (elements)
	filters  []Filter
	fill     FillValue
	dataAddr uint64 // contiguous data address
	size     uint64 // contiguous data size
	compact  []byte
	null     bool             // H5S_NULL dataspace (h5py.Empty): no elements, no storage
	external []ExternalFile   // raw data in other files (external.go)
	virtual  []VirtualMapping // layout class 3 (virtual.go)

	// Chunk records. For datasets read from a file they are loaded from
	// index on first use.
	chunks     map[string]*ChunkRecord
	index      chunkIndex
	chunkDirty bool
	v4         *layoutV4 // a layout 4 chunk index this model wrote (newer family)
	useV4      bool      // write layout 4 chunk indexes (newer family)
	btreeAddr  uint64    // v1 B-tree root written at the last flush
	btreeSpace []extent  // its nodes, when this model wrote them
	// Chunks added to an opened file's version 1 B-tree, each after every
	// chunk it holds, go down the tree's right edge at the next flush
	// (chunk_append.go); rewriteIndex is set once a change needs the whole
	// index rewritten instead.
	newChunks    map[string]*ChunkRecord
	toAppend     map[string]bool // keys of newChunks not in the file's tree yet
	rewriteIndex bool
	resized      []ChunkRecord // the chunks the last Resize allocated
	// reused: the storage the last allocate placed came (in part) from
	// freed space, which holds old bytes (StorageReused).
	reused bool

	// Raw messages of an opened dataset, re-emitted verbatim.
	named *NamedType // the committed datatype this model's dataset shares
	// diskNamed is the committed datatype a dataset read from the file
	// shares: its reference count on disk counts this use already.
	diskNamed *NamedType

	rawType, rawFill, rawFillOld, rawPipeline *RawMessage
	rawLayout                                 *RawMessage // a layout message as read: virtual layouts, and a layout 4 chunk index until the index is rewritten
}

// CreateDataset creates a dataset at path (relative to g, intermediate
// groups created as needed) and allocates its storage at once: contiguous
// data, and every chunk of an unfiltered chunked dataset, so that raw data
// can be written by anyone at DataAddr / Chunk addresses with no further
// metadata change. Filtered chunks are placed by AllocChunk.
func (g *Group) CreateDataset(path string, spec DatasetSpec) (*Dataset, error) {
	if nt := spec.Named; nt != nil {
		if nt.f != g.f || nt.deleted {
			return nil, fmt.Errorf("create dataset %q: its committed datatype is not an object of this file", path)
		}
		if spec.Type != nil && !spec.Type.Equal(nt.dtype) {
			return nil, fmt.Errorf("create dataset %q: type %v differs from its committed datatype's %v", path, spec.Type, nt.dtype)
		}
		spec.Type = nt.dtype
	}
	d, err := g.f.newDataset(spec)
	if err != nil {
		return nil, fmt.Errorf("create dataset %q: %w", path, err)
	}
	parent, name, err := g.parentOf(path, true)
	if err != nil {
		return nil, err
	}
	if _, ok := parent.find(name); ok {
		return nil, fmt.Errorf("create dataset %q: %w", path, ErrExists)
	}
	var sb [192]byte
	g.f.mix("CreateDataset", g.ident(), path, specDigest(sb[:0], spec))
	if spec.Named != nil {
		d.named = spec.Named
		g.f.mix("Named", spec.Named.ident())
	}
	d.allocate()
	if err := parent.insert(link{name: name, obj: d}); err != nil {
		return nil, err
	}
	return d, nil
}

func (f *File) newDataset(s DatasetSpec) (*Dataset, error) {
	if s.Type == nil || s.Type.Size == 0 {
		return nil, fmt.Errorf("h5core: dataset needs a datatype with a non-zero size")
	}
	var tb [64]byte
	if _, err := s.Type.appendEncoded(tb[:0]); err != nil {
		return nil, err
	}
	rank := len(s.Shape)
	if rank > MaxRank {
		return nil, fmt.Errorf("h5core: rank %d exceeds %d", rank, MaxRank)
	}
	maxShape := s.MaxShape
	if maxShape == nil {
		maxShape = s.Shape
	}
	if len(maxShape) != rank {
		return nil, fmt.Errorf("h5core: maxshape %v has rank %d, shape %v rank %d", maxShape, len(maxShape), s.Shape, rank)
	}
	unlimited := false
	for i := range s.Shape {
		if maxShape[i] < s.Shape[i] {
			return nil, fmt.Errorf("h5core: maxshape %v smaller than shape %v", maxShape, s.Shape)
		}
		if maxShape[i] == Unlimited {
			unlimited = true
		}
	}
	n, ok := numElements(s.Shape)
	if !ok || n > (^uint64(0))/uint64(s.Type.Size) {
		return nil, fmt.Errorf("h5core: shape %v is too large", s.Shape)
	}
	if s.Fill != nil && uint32(len(s.Fill)) != s.Type.Size {
		return nil, fmt.Errorf("h5core: fill value of %d bytes for %d-byte elements", len(s.Fill), s.Type.Size)
	}
	dims := make([]uint64, 2*rank) // shape and maxShape in one allocation
	copy(dims, s.Shape)
	copy(dims[rank:], maxShape)
	d := &Dataset{
		object:   f.newObject(),
		dtype:    s.Type.Clone(),
		shape:    dims[:rank:rank],
		maxShape: dims[rank:],
		dataAddr: UndefinedAddr,
		fill:     FillValue{FillTime: FillTimeIfSet, Value: append([]byte(nil), s.Fill...)},
	}
	if s.Fill == nil {
		d.fill.Value = nil
	}
	if s.Null {
		if rank != 0 || s.Chunk != nil || s.Compact || len(s.Filters) > 0 {
			return nil, fmt.Errorf("h5core: a null dataspace has no shape, chunks, filters or compact data")
		}
		d.null = true
	}
	switch {
	case s.Chunk != nil:
		if rank == 0 {
			return nil, fmt.Errorf("h5core: a scalar dataset cannot be chunked")
		}
		if len(s.Chunk) != rank {
			return nil, fmt.Errorf("h5core: chunk %v has rank %d, shape %v rank %d", s.Chunk, len(s.Chunk), s.Shape, rank)
		}
		cb := uint64(s.Type.Size)
		for i, c := range s.Chunk {
			if c == 0 || (maxShape[i] != Unlimited && c > maxShape[i]) {
				return nil, fmt.Errorf("h5core: chunk dimension %d of %v invalid for maxshape %v", i, s.Chunk, maxShape)
			}
			if c > 0xffffffff || cb*c > 0xffffffff {
				return nil, fmt.Errorf("h5core: chunk %v is 4 GiB or more", s.Chunk)
			}
			cb *= c
		}
		if err := checkFilters(s.Filters); err != nil {
			return nil, err
		}
		if _, ok := countChunks(s.Shape, s.Chunk); !ok && len(s.Filters) == 0 {
			return nil, fmt.Errorf("h5core: shape %v in chunks of %v needs more than %d chunks; use larger chunks", s.Shape, s.Chunk, maxEarlyChunks)
		}
		d.layout = LayoutChunked
		d.chunk = append([]uint64(nil), s.Chunk...)
		d.filters = setLocal(s.Filters, d.dtype, s.Chunk)
		d.chunks = map[string]*ChunkRecord{}
		d.chunkDirty = true
		d.fill.AllocTime = AllocIncremental
		d.fill.FillTime = FillTimeAlloc
		d.useV4 = f.family == LibverLatest
	case unlimited:
		return nil, fmt.Errorf("h5core: unlimited dimensions need a chunked layout")
	case len(s.Filters) > 0:
		return nil, fmt.Errorf("h5core: filters need a chunked layout")
	case s.Compact:
		if n*uint64(s.Type.Size) > 64000 {
			return nil, fmt.Errorf("h5core: compact dataset of %d bytes (max 64000)", n*uint64(s.Type.Size))
		}
		d.layout = LayoutCompact
		d.compact = make([]byte, n*uint64(s.Type.Size))
		d.fill.AllocTime = AllocEarly
		for i := uint64(0); i < n && s.Fill != nil; i++ {
			copy(d.compact[i*uint64(s.Type.Size):], s.Fill)
		}
	default:
		d.layout = LayoutContiguous
		d.fill.AllocTime = AllocLate
	}
	if s.Type.HasVlen() {
		d.fill.FillTime = FillTimeAlloc
	}
	return d, nil
}

// allocate reserves storage for contiguous data and unfiltered chunks
// not yet allocated (parallel rule 3: at creation, and at Resize).
func (d *Dataset) allocate() {
	d.reused = false
	switch d.layout {
	case LayoutContiguous:
		if d.dataAddr == UndefinedAddr && !d.null {
			n, _ := numElements(d.shape)
			d.size = n * uint64(d.dtype.Size)
			if d.size > 0 {
				d.dataAddr, d.reused = d.f.allocReused(d.size)
			}
		}
	case LayoutChunked:
		if len(d.filters) > 0 {
			return
		}
		cb := d.ChunkBytes()
		forEachChunk(d.shape, d.chunk, func(coords []uint64) {
			k := chunkKey(coords)
			if _, ok := d.chunks[k]; ok {
				return
			}
			addr, reused := d.f.allocReused(cb)
			d.reused = d.reused || reused
			r := &ChunkRecord{Coords: append([]uint64(nil), coords...), Addr: addr, Size: cb}
			d.chunks[k] = r
			d.resized = append(d.resized, *r)
			d.chunkDirty = true
			d.rewriteIndex = true // chunks anywhere in the index: it is written anew (chunk_append.go)
		})
	}
}

// maxEarlyChunks bounds the chunks allocated at once for an unfiltered
// dataset (each is a record in memory and in the chunk B-tree).
const maxEarlyChunks = 1 << 24

// countChunks returns the number of chunks covering shape, or false if it
// exceeds maxEarlyChunks.
func countChunks(shape, chunk []uint64) (uint64, bool) {
	n := uint64(1)
	for i, s := range shape {
		k := s / chunk[i]
		if s%chunk[i] != 0 {
			k++
		}
		if k != 0 && n > maxEarlyChunks/k {
			return 0, false
		}
		n *= k
	}
	return n, n <= maxEarlyChunks
}

// forEachChunk calls fn with the element offsets of every chunk that
// intersects shape, in row-major order.
func forEachChunk(shape, chunk []uint64, fn func(coords []uint64)) {
	rank := len(shape)
	for _, s := range shape {
		if s == 0 {
			return
		}
	}
	c := make([]uint64, rank)
	for {
		fn(c)
		i := rank - 1
		for ; i >= 0; i-- {
			if shape[i]-c[i] > chunk[i] { // no overflow: c[i] < shape[i]
				c[i] += chunk[i]
				break
			}
			c[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

func chunkKey(coords []uint64) string {
	b := make([]byte, 0, 8*len(coords))
	for _, c := range coords {
		b = put64(b, c)
	}
	return string(b)
}

// Type returns the datatype.
func (d *Dataset) Type() *Datatype { return d.dtype }

// Shape returns the current dimensions (empty for a scalar).
func (d *Dataset) Shape() []uint64 { return append([]uint64{}, d.shape...) }

// MaxShape returns the maximum dimensions (Unlimited for unlimited ones).
func (d *Dataset) MaxShape() []uint64 { return append([]uint64{}, d.maxShape...) }

// Layout returns the storage layout class.
func (d *Dataset) Layout() LayoutClass { return d.layout }

// ChunkShape returns the chunk dimensions, nil unless chunked.
func (d *Dataset) ChunkShape() []uint64 { return append([]uint64(nil), d.chunk...) }

// ChunkBytes returns the size in bytes of one unfiltered chunk.
func (d *Dataset) ChunkBytes() uint64 {
	n := uint64(d.dtype.Size)
	for _, c := range d.chunk {
		n *= c
	}
	return n
}

// checkChunkShape refuses chunk dimensions a dataset read from a damaged
// file may have: larger than a fixed (not unlimited, non-zero) dimension,
// as libhdf5 refuses them (H5D__chunk_construct), or 4 GiB or more per
// chunk. Reading such a chunk would allocate its full decoded size (up to
// 4 GiB for a few bytes of file).
func (d *Dataset) checkChunkShape() error {
	n := uint64(d.dtype.Size)
	for i, c := range d.chunk {
		if c == 0 || (i < len(d.maxShape) && d.maxShape[i] != Unlimited && d.shape[i] > 0 && c > d.maxShape[i]) {
			return formatErr(int64(min(d.addr, 1<<62)), fmt.Sprintf("chunk shape %v does not fit the dataset's maximum shape %v", d.chunk, d.maxShape), nil)
		}
		if c > 0xffffffff || n*c > 0xffffffff { // n < 2^32, c < 2^32: no overflow
			return formatErr(int64(min(d.addr, 1<<62)), fmt.Sprintf("chunk shape %v of %d-byte elements is 4 GiB or more", d.chunk, d.dtype.Size), nil)
		}
		n *= c
	}
	return nil
}

// Filters returns the filter pipeline in encoding order.
func (d *Dataset) Filters() []Filter { return append([]Filter(nil), d.filters...) }

// Fill returns the fill value message (Value nil: the default zeros).
func (d *Dataset) Fill() FillValue { return d.fill }

// DataAddr returns the address and size of contiguous storage; the address
// is UndefinedAddr if none is allocated (a libhdf5 file with late
// allocation never written; see AllocStorage).
// The address is in the whole file (a user block's size included,
// userblock.go); the model and the layout message keep it relative.
func (d *Dataset) DataAddr() (addr, size uint64) {
	if d.dataAddr == UndefinedAddr {
		return UndefinedAddr, d.size
	}
	return d.dataAddr + d.f.base, d.size
}

// AllocStorage allocates contiguous storage, or the missing unfiltered
// chunks, of a dataset opened from a file that allocated late.
func (d *Dataset) AllocStorage() error {
	if err := d.mutable(); err != nil {
		return err
	}
	if d.external != nil || d.layout == LayoutVirtual || d.null {
		return fmt.Errorf("h5core: a dataset with external, virtual or no storage cannot be given storage in the file: %w", ErrUnsupported)
	}
	if d.layout == LayoutChunked {
		if _, ok := countChunks(d.shape, d.chunk); !ok {
			return fmt.Errorf("h5core: shape %v in chunks of %v needs more than %d chunks", d.shape, d.chunk, maxEarlyChunks)
		}
		if err := d.loadChunks(); err != nil {
			return err
		}
	}
	d.f.mix("AllocStorage", d.ident())
	before := d.dataAddr
	d.allocate()
	if d.dataAddr != before {
		d.dirty = true
	}
	return nil
}

// StorageReused reports whether the storage that the dataset's last
// allocation placed (at creation, AllocStorage or Resize: contiguous data,
// unfiltered chunks) came in part from freed space. Such space holds old
// bytes, so the caller must write the fill value there even when it is
// zero; storage at the end of the file reads as zeros already. It is the
// same on every rank of a parallel file.
func (d *Dataset) StorageReused() bool { return d.reused }

// IsNull reports a dataset with a null dataspace (h5py.Empty): no
// elements, no shape (Shape is empty, as a scalar's), nothing to read.
func (d *Dataset) IsNull() bool { return d.null }

// CompactData returns the data of a compact dataset (nil otherwise).
func (d *Dataset) CompactData() []byte { return d.compact }

// SetCompactData replaces the data of a compact dataset.
func (d *Dataset) SetCompactData(b []byte) error {
	if err := d.mutable(); err != nil {
		return err
	}
	if d.layout != LayoutCompact || len(b) != len(d.compact) {
		return fmt.Errorf("h5core: SetCompactData with %d bytes on a %s dataset of %d bytes", len(b), d.layout, len(d.compact))
	}
	d.f.mix("SetCompactData", d.ident(), b)
	copy(d.compact, b)
	d.dirty = true
	return nil
}

// loadChunks reads the chunk index of an opened dataset into the model.
func (d *Dataset) loadChunks() error {
	if d.chunks != nil {
		return nil
	}
	d.chunks = map[string]*ChunkRecord{}
	if d.index == nil {
		return nil
	}
	recs, err := d.index.all()
	if err != nil {
		d.chunks = nil
		return err
	}
	for i := range recs {
		r := recs[i] // relative, as in the index; Chunk and Chunks add the base
		d.chunks[chunkKey(r.Coords)] = &r
	}
	for k, r := range d.newChunks { // not in the index until the next flush
		d.chunks[k] = r
	}
	return nil
}

// Chunk returns the record of the chunk whose first element is at coords
// (element offsets, multiples of the chunk shape).
func (d *Dataset) Chunk(coords []uint64) (ChunkRecord, bool, error) {
	if err := d.checkChunkCoords(coords); err != nil {
		return ChunkRecord{}, false, err
	}
	if d.chunks == nil && d.index != nil {
		if r, ok := d.newChunks[chunkKey(coords)]; ok {
			out := *r
			out.Addr += d.f.base
			return out, true, nil
		}
		r, ok, err := d.index.lookup(coords)
		if ok {
			r.Addr += d.f.base // raw data is read in the whole file (userblock.go)
		}
		return r, ok, err
	}
	r, ok := d.chunks[chunkKey(coords)]
	if !ok {
		return ChunkRecord{}, false, nil
	}
	out := *r
	out.Addr += d.f.base // raw data is read in the whole file (userblock.go)
	return out, true, nil
}

// Chunks returns every allocated chunk, ordered by coordinates.
func (d *Dataset) Chunks() ([]ChunkRecord, error) {
	if d.layout != LayoutChunked {
		return nil, nil
	}
	if err := d.loadChunks(); err != nil {
		return nil, err
	}
	out := d.sortedChunks()
	for i := range out {
		out[i].Addr += d.f.base // raw data is read in the whole file (userblock.go)
	}
	return out, nil
}

func (d *Dataset) sortedChunks() []ChunkRecord {
	out := make([]ChunkRecord, 0, len(d.chunks))
	for _, r := range d.chunks {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return coordsLess(out[i].Coords, out[j].Coords) })
	return out
}

func coordsLess(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// AllocChunk places a stored (filtered) chunk of size bytes at coords and
// returns its address. Every call gets fresh space, so a chunk rewritten
// after a flush never overwrites what that flush's metadata points to.
func (d *Dataset) AllocChunk(coords []uint64, size uint64, filterMask uint32) (uint64, error) {
	if err := d.mutable(); err != nil {
		return 0, err
	}
	if err := d.checkChunkCoords(coords); err != nil {
		return 0, err
	}
	if size == 0 || size > 0xffffffff {
		return 0, fmt.Errorf("h5core: chunk of %d bytes (want 1..4 GiB-1)", size)
	}
	if addr, done, err := d.allocAppended(coords, size, filterMask); done || err != nil {
		return addr, err // chunk_append.go
	}
	if err := d.loadChunks(); err != nil {
		return 0, err
	}
	d.f.mix("AllocChunk", d.ident(), coords, size, filterMask)
	k := chunkKey(coords)
	if r, ok := d.chunks[k]; ok {
		if len(d.filters) == 0 {
			return r.Addr + d.f.base, nil
		}
		d.f.release(r.Addr, r.Size)
	}
	r := &ChunkRecord{Coords: append([]uint64(nil), coords...), Addr: d.f.alloc(size), Size: size, FilterMask: filterMask}
	d.chunks[k] = r
	d.chunkDirty = true
	return r.Addr + d.f.base, nil // in the whole file (userblock.go); the index keeps it relative
}

func (d *Dataset) checkChunkCoords(coords []uint64) error {
	if d.layout != LayoutChunked {
		return fmt.Errorf("h5core: chunk operation on a %s dataset", d.layout)
	}
	if len(coords) != len(d.chunk) {
		return fmt.Errorf("h5core: chunk coordinates %v for rank %d", coords, len(d.chunk))
	}
	for i, c := range coords {
		if c%d.chunk[i] != 0 || (d.maxShape[i] != Unlimited && c >= d.maxShape[i]) {
			return fmt.Errorf("h5core: chunk coordinates %v not on the chunk grid %v within %v", coords, d.chunk, d.maxShape)
		}
	}
	return nil
}

// Resize changes the current dimensions within MaxShape (h5py's resize).
// New unfiltered chunks are allocated at once; chunks wholly outside the
// new shape are dropped from the index. Elements of kept edge chunks that
// fall outside a smaller shape keep their bytes (libhdf5 rewrites them
// with the fill value): a caller that grows the dataset again must write
// fill there itself (h5file's Resize does, as libhdf5).
func (d *Dataset) Resize(shape []uint64) error {
	if err := d.mutable(); err != nil {
		return err
	}
	if len(shape) != len(d.shape) {
		return fmt.Errorf("h5core: resize to rank %d of a rank %d dataset", len(shape), len(d.shape))
	}
	same := true
	for i, s := range shape {
		if s > d.maxShape[i] {
			return fmt.Errorf("h5core: resize to %v exceeds maxshape %v", shape, d.maxShape)
		}
		same = same && s == d.shape[i]
	}
	if same {
		return nil
	}
	if d.layout != LayoutChunked {
		return fmt.Errorf("h5core: only chunked datasets can be resized (this one is %s)", d.layout)
	}
	if _, ok := countChunks(shape, d.chunk); !ok && len(d.filters) == 0 {
		return fmt.Errorf("h5core: shape %v in chunks of %v needs more than %d chunks; use larger chunks", shape, d.chunk, maxEarlyChunks)
	}
	if done, err := d.resizeAppended(shape); done || err != nil {
		return err // chunk_append.go
	}
	if err := d.loadChunks(); err != nil {
		return err
	}
	d.f.mix("Resize", d.ident(), shape)
	d.shape = append([]uint64{}, shape...)
	d.dirty = true
	d.resized = nil
	d.rewriteIndex = true // chunks may go: the index is written anew
	for k, r := range d.chunks {
		for i, c := range r.Coords {
			if c >= shape[i] {
				d.f.release(r.Addr, r.Size) // reusable after the next flush
				delete(d.chunks, k)         // deleting while ranging is defined in Go
				d.chunkDirty = true
				break
			}
		}
	}
	d.allocate()
	return nil
}
