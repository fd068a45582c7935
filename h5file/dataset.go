package h5file

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/iostats"
)

// Unlimited marks an unlimited dimension in MaxShape (h5py's None): the
// dimension may grow without bound. Its value is the largest uint64; Dims
// prints it as None.
const Unlimited = h5core.Unlimited

// Dims is a dataset's maximum shape (MaxShape): a []uint64 whose
// Unlimited dimensions print as None, as h5py prints maxshape.
type Dims []uint64

// String prints the dimensions as fmt prints a []uint64, with None for
// Unlimited: [10 None].
func (d Dims) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range d {
		if i > 0 {
			b.WriteByte(' ')
		}
		if x == Unlimited {
			b.WriteString("None")
		} else {
			b.WriteString(strconv.FormatUint(x, 10))
		}
	}
	b.WriteByte(']')
	return b.String()
}

// Dataset is an HDF5 dataset: h5py's Dataset.
type Dataset struct {
	object
	d  *h5core.Dataset
	st iostats.Dataset // its place in the I/O report: the object's counts (iostats.go)
}

// DatasetOption configures CreateDataset: h5py's create_dataset keywords.
type DatasetOption func(*dsetOptions)

type dsetOptions struct {
	dtype      *Datatype
	shape      []uint64
	shapeSet   bool
	maxShape   []uint64
	chunks     []uint64
	gzip       int
	shuffle    bool
	fletcher32 bool
	codecs     codecOptions // LZF, Blosc, ... (codecs.go)
	codecsB    codecsB      // Bitshuffle, scale-offset, N-bit (codecs_b.go)
	compact    bool
	fill       any
	data       any
	empty      bool       // Empty(): a null dataspace (empty.go)
	named      *NamedType // WithNamedType: the committed datatype shared (named_type.go)
	rawFill    []byte     // a fill value in the file's layout (copy.go)
	err        error      // an option's invalid argument, reported by the create
}

// MaxShape sets the largest shape Resize may reach; Unlimited (h5py's None)
// lets a dimension grow without bound. It implies a chunked layout.
func MaxShape(dims ...uint64) DatasetOption {
	return func(o *dsetOptions) { o.maxShape = append([]uint64{}, dims...) }
}

// Chunks sets the chunk shape (h5py's chunks=(...)).
func Chunks(dims ...uint64) DatasetOption {
	return func(o *dsetOptions) { o.chunks = append([]uint64{}, dims...) }
}

// Gzip compresses chunks with deflate at level 0..9 (h5py's
// compression='gzip', compression_opts=level; h5py's default level is 4).
// Another level makes the create fail, as h5py refuses it.
func Gzip(level int) DatasetOption {
	return func(o *dsetOptions) {
		if level < 0 || level > 9 {
			o.err = errors.Join(o.err, fmt.Errorf("gzip level %d: the level is 0 (fastest) to 9 (smallest)", level))
			return
		}
		o.gzip = level + 1
	}
}

// Shuffle adds the byte shuffle filter before compression (h5py's shuffle=True).
func Shuffle() DatasetOption { return func(o *dsetOptions) { o.shuffle = true } }

// Fletcher32 adds a checksum to every chunk (h5py's fletcher32=True).
func Fletcher32() DatasetOption { return func(o *dsetOptions) { o.fletcher32 = true } }

// Compact stores the data in the object header (small datasets only, < 64 KiB).
func Compact() DatasetOption { return func(o *dsetOptions) { o.compact = true } }

// FillValue sets the value unwritten elements read as (h5py's fillvalue=).
func FillValue(v any) DatasetOption { return func(o *dsetOptions) { o.fill = v } }

// WithDtype spells the HDF5 type out instead of deriving it from Go.
func WithDtype(t *Datatype) DatasetOption { return func(o *dsetOptions) { o.dtype = t } }

// WithShape sets the shape for CreateDatasetFrom (default: 1-D, len(data)).
func WithShape(dims ...uint64) DatasetOption {
	return func(o *dsetOptions) { o.shape, o.shapeSet = append([]uint64{}, dims...), true }
}

// CreateDataset creates a dataset of type dtype and shape (nil or empty:
// scalar) at path, creating intermediate groups as h5py does.
func (g *Group) CreateDataset(p string, dtype *Datatype, shape []uint64, opts ...DatasetOption) (*Dataset, error) {
	o := dsetOptions{dtype: dtype, shape: shape, shapeSet: true}
	for _, opt := range opts {
		opt(&o)
	}
	return g.createDataset(p, o)
}

// CreateDatasetOf creates a dataset whose HDF5 type is the one Go type T
// maps to (see TypeOf): CreateDatasetOf[float64](g, "x", []uint64{10}).
// g is a *File or a *Group.
func CreateDatasetOf[T any](g DatasetCreator, p string, shape []uint64, opts ...DatasetOption) (*Dataset, error) {
	t, err := TypeOf(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	return g.CreateDataset(p, t, shape, opts...)
}

// DatasetCreator is a *File or a *Group.
type DatasetCreator interface {
	CreateDataset(p string, dtype *Datatype, shape []uint64, opts ...DatasetOption) (*Dataset, error)
}

// CreateDatasetFrom creates a dataset holding data (h5py's
// create_dataset(name, data=x)): a slice (shape len(data) unless WithShape
// says otherwise) or a single value (a scalar dataset). The type comes from
// data's elements unless WithDtype spells it out. Without WithDtype and
// WithShape, nested slices ([][]T, [][][]T, ...) make an N-D dataset as
// h5py's nested lists do (ragged ones are an ErrShape error; see
// nested.go).
func (g *Group) CreateDatasetFrom(p string, data any, opts ...DatasetOption) (*Dataset, error) {
	o, err := fromDataOptions(join(g.name, p), data, opts)
	if err != nil {
		return nil, err
	}
	return g.createDataset(p, o)
}

// fromDataOptions is CreateDatasetFrom's options: type and shape derived
// from data unless WithDtype and WithShape spell them out.
func fromDataOptions(full string, data any, opts []DatasetOption) (dsetOptions, error) {
	var o dsetOptions
	for _, opt := range opts {
		opt(&o)
	}
	v := reflect.ValueOf(data)
	if o.err != nil {
		return o, opErr("create dataset", full, o.err)
	}
	if !v.IsValid() {
		return o, opErrf("create dataset", full, "from nil data: %w", ErrType)
	}
	if o.dtype == nil && !o.shapeSet {
		shape, nested, err := nestedShape(v)
		if err != nil {
			return o, opErr("create dataset", full, err)
		}
		if nested {
			v = flattenNested(v, shape)
			data = v.Interface()
			o.shape, o.shapeSet = shape, true
		}
	}
	if o.dtype == nil {
		t, err := TypeOf(v.Type())
		if err != nil {
			return o, opErr("create dataset", full, err)
		}
		o.dtype = t
	}
	if !o.shapeSet {
		if v.Kind() == reflect.Slice {
			o.shape = []uint64{uint64(v.Len())}
		}
	}
	o.data = data
	return o, nil
}

func (g *Group) createDataset(p string, o dsetOptions) (*Dataset, error) {
	full := join(g.name, p)
	spec, err := o.spec(full)
	if err != nil {
		return nil, err
	}
	if o.named != nil {
		if o.named.f != g.f {
			return nil, opErrf("create dataset", full, "committed type %s belongs to another file", o.named.name)
		}
		spec.Named = o.named.t
	}
	var cd *h5core.Dataset
	var lazy func() string
	if g.f.isParallel() {
		lazy = func() string { return specArgs(spec) }
	}
	err = g.f.apply(metaOp{name: "CreateDataset", path: full, lazy: lazy, fn: func() error {
		var err error
		cd, err = g.g.CreateDataset(p, spec)
		if err != nil {
			return opErr("create dataset", full, err)
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	d := g.f.newDataset(full, cd)
	if err := d.fillNew(nil); err != nil {
		return nil, err
	}
	if o.data != nil {
		if err := d.writeInitial(o.data); err != nil {
			g.dropFailed(p)
			return nil, err
		}
	}
	return d, nil
}

// spec turns create_dataset's keywords into h5core's dataset spec (the
// chunk shape guessed as h5py guesses it, the filter pipeline, the fill
// value encoded); full is the dataset's path, for errors.
func (o *dsetOptions) spec(full string) (h5core.DatasetSpec, error) {
	if o.err != nil {
		return h5core.DatasetSpec{}, opErr("create dataset", full, o.err)
	}
	if o.dtype == nil {
		return h5core.DatasetSpec{}, opErrf("create dataset", full, "no type (pass one or use CreateDatasetOf): %w", ErrType)
	}
	spec := h5core.DatasetSpec{Type: o.dtype, Shape: o.shape, MaxShape: o.maxShape, Chunk: o.chunks, Compact: o.compact, Null: o.empty}
	filtered := o.gzip > 0 || o.shuffle || o.fletcher32 || o.codecs.set() || o.codecsB.set()
	if spec.Chunk == nil && !o.compact && (filtered || o.maxShape != nil && !equalDims(o.maxShape, o.shape)) {
		if len(o.shape) == 0 {
			return h5core.DatasetSpec{}, opErrf("create dataset", full, "a scalar dataset cannot be chunked")
		}
		spec.Chunk = guessChunk(o.shape, o.maxShape, uint64(o.dtype.Size))
	}
	if filtered {
		fs, err := o.pipeline()
		if err != nil {
			return h5core.DatasetSpec{}, opErr("create dataset", full, err)
		}
		spec.Filters = fs
	}
	c := &codec{}
	if o.fill != nil {
		if o.dtype.HasVlen() {
			return h5core.DatasetSpec{}, opErrf("create dataset", full, "fill values of variable-length types are not supported")
		}
		spec.Fill = make([]byte, o.dtype.Size)
		if err := c.encode(reflect.ValueOf(o.fill), o.dtype, spec.Fill); err != nil {
			return h5core.DatasetSpec{}, opErrf("create dataset", full, "fill value: %w", err)
		}
	}
	if o.rawFill != nil {
		spec.Fill = o.rawFill
	}
	if o.codecsB.set() {
		fs, err := o.pipelineB(spec.Filters, spec.Fill)
		if err != nil {
			return h5core.DatasetSpec{}, opErr("create dataset", full, err)
		}
		spec.Filters = fs
	}
	return spec, nil
}

// dropFailed removes the dataset at p that CreateDatasetFrom made but
// could not fill (h5py checks the data before it creates anything): a
// failed call leaves no dataset behind. In a parallel file the ranks
// remove it together; a file whose ranks disagreed is unusable anyway.
func (g *Group) dropFailed(p string) {
	if g.f.failed != nil {
		return
	}
	_ = g.Delete(p)
}

func equalDims(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// guessChunk is h5py's guess_chunk: halve dimensions in turn until a chunk
// is near a target size that grows with the dataset (8 KiB .. 1 MiB), so
// our auto-chunked datasets look like h5py's.
func guessChunk(shape, maxShape []uint64, typeSize uint64) []uint64 {
	const base, lo, hi = 16 * 1024, 8 * 1024, 1024 * 1024
	n := len(shape)
	chunks := make([]float64, n)
	for i, s := range shape {
		if s == 0 {
			s = 1024
		}
		chunks[i] = float64(s)
	}
	prod := func() float64 {
		p := 1.0
		for _, c := range chunks {
			p *= c
		}
		return p
	}
	dsetSize := prod() * float64(typeSize)
	target := base * math.Pow(2, math.Log10(dsetSize/(1024*1024)))
	target = math.Min(math.Max(target, lo), hi)
	for idx := 0; ; idx++ {
		cb := prod() * float64(typeSize)
		if (cb < target || math.Abs(cb-target)/target < 0.5) && cb < hi {
			break
		}
		if prod() == 1 {
			break
		}
		chunks[idx%n] = math.Ceil(chunks[idx%n] / 2)
	}
	out := make([]uint64, n)
	for i, c := range chunks {
		out[i] = uint64(c)
	}
	return out
}

// Shape is the dataset's current shape (empty for a scalar).
func (d *Dataset) Shape() []uint64 { return d.d.Shape() }

// MaxShape is the largest shape Resize may reach, Unlimited (printed as
// None) for a dimension without bound: h5py's maxshape.
func (d *Dataset) MaxShape() Dims { return d.d.MaxShape() }

// Dtype is the dataset's HDF5 type.
func (d *Dataset) Dtype() *Datatype { return d.d.Type() }

// Len is the length of the first dimension, as h5py's len(dset); 0 for a
// scalar or empty dataset (h5py raises TypeError). Size is the number of
// elements.
func (d *Dataset) Len() uint64 {
	if s := d.d.Shape(); len(s) > 0 && !d.d.IsNull() {
		return s[0]
	}
	return 0
}

// Size is the number of elements (h5py's dset.size): 1 for a scalar, 0
// for an empty dataset (IsEmpty).
func (d *Dataset) Size() uint64 {
	if d.d.IsNull() {
		return 0
	}
	return numElements(d.d.Shape())
}

// Chunks is the chunk shape, nil if the dataset is not chunked.
func (d *Dataset) Chunks() []uint64 {
	if d.d.Layout() != h5core.LayoutChunked {
		return nil
	}
	return d.d.ChunkShape()
}

// Layout is "compact", "contiguous" or "chunked".
func (d *Dataset) Layout() string {
	switch d.d.Layout() {
	case h5core.LayoutCompact:
		return "compact"
	case h5core.LayoutContiguous:
		return "contiguous"
	case h5core.LayoutChunked:
		return "chunked"
	}
	return d.d.Layout().String()
}

// Compression is "gzip", "lzf" or "szip" when chunks go through that
// filter, "" otherwise, as h5py's compression; the deflate level is
// CompressionOpts (h5py's compression_opts).
func (d *Dataset) Compression() string {
	// h5py's order: gzip, lzf, szip; other filters (the hdf5plugin ones)
	// are not a compression to h5py: see Filters.
	for _, c := range []struct {
		id   uint16
		name string
	}{{1, "gzip"}, {h5core.FilterLZF, "lzf"}, {h5core.FilterSZIP, "szip"}} {
		if d.hasFilter(c.id) {
			return c.name
		}
	}
	return ""
}

// CompressionOpts is the deflate level, -1 without compression.
func (d *Dataset) CompressionOpts() int {
	for _, f := range d.d.Filters() {
		if f.ID == 1 && len(f.ClientData) > 0 {
			return int(f.ClientData[0])
		}
	}
	return -1
}

// Shuffle reports whether the shuffle filter is on.
func (d *Dataset) Shuffle() bool { return d.hasFilter(2) }

// Fletcher32 reports whether chunks carry a Fletcher-32 checksum.
func (d *Dataset) Fletcher32() bool { return d.hasFilter(3) }

func (d *Dataset) hasFilter(id uint16) bool {
	for _, f := range d.d.Filters() {
		if f.ID == id {
			return true
		}
	}
	return false
}

// FillValue reads the fill value into dst (a pointer).
func (d *Dataset) FillValue(dst any) error {
	if err := d.f.check(); err != nil {
		return err
	}
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return opErrf("read fill value of", d.name, "FillValue needs a non-nil pointer, got %T: %w", dst, ErrType)
	}
	b := d.d.Fill().Value
	if b == nil {
		b = make([]byte, d.d.Type().Size)
	}
	return d.f.codec().decode(b, d.d.Type(), v.Elem())
}

// Resize changes the shape of a chunked dataset within MaxShape (h5py's
// resize). New elements read as the fill value.
func (d *Dataset) Resize(shape ...uint64) error {
	if err := d.f.checkWrite(); err != nil {
		return err
	}
	d.dropChunkCache() // chunk_cache.go
	if d.d.Layout() != h5core.LayoutChunked {
		// The same on every rank of a parallel file: no agreement needed.
		return opErrf("resize", d.name, "to %v: the dataset is %s, not chunked: only a chunked dataset can be resized (create it with MaxShape or Chunks): %w", shape, d.Layout(), ErrShape)
	}
	old := d.d.Shape()
	// Collective and checked before it is applied: ranks that resized to
	// different shapes would write rows at different places.
	err := d.f.apply(metaOp{name: "Resize", path: d.name, args: fmt.Sprint(shape), check: true, fn: func() error {
		if err := d.d.Resize(shape); err != nil {
			return opErrf("resize", d.name, "to %v: %w", shape, err)
		}
		return nil
	}})
	if err != nil {
		return err
	}
	if err := d.fillCutOff(old); err != nil { // resize_fill.go
		return err
	}
	// The chunks the growth allocated get the fill value (filtered chunks
	// are written whole when written).
	if len(d.d.Filters()) == 0 && d.needsFill() {
		return d.fillNewChunks(d.d.ResizedChunks())
	}
	return nil
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

func numElements(shape []uint64) uint64 {
	n := uint64(1)
	for _, s := range shape {
		n *= s
	}
	return n
}
