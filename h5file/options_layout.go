package h5file

import "fmt"

// Layout hints: where raw data goes in the file and how collective I/O is
// spread over the ranks. They change performance, never values; every
// rank of a parallel file must pass the same ones (ranks that align
// differently disagree at the first check point).

// alignHint is WithAlignment's pair.
type alignHint struct{ threshold, alignment uint64 }

// WithAlignment places every object of threshold bytes or more (in
// practice a dataset's raw data or a chunk) at a multiple of alignment
// bytes in the file: libhdf5's H5Pset_alignment(fapl, threshold,
// alignment), h5py's File(..., alignment_threshold=, alignment_interval=).
// Aligning large data to the file system's block or stripe size (1 MiB
// on Lustre, for example) keeps one rank's writes out of another's
// blocks. The default is 4 KiB for objects of 1 MiB or more (page
// aligned, measured to cost nothing in file size for large data: the
// gap is under 4 KiB per object). An alignment of 0 or 1 turns it off;
// otherwise it must be a multiple of 8 no larger than 1 GiB. It applies
// to space allocated while the file is open: objects already in a file
// keep their places.
func WithAlignment(threshold, alignment uint64) Option {
	return func(o *options) { o.align = &alignHint{threshold, alignment} }
}

// WithAggregators sets how many ranks read and write the file for the
// others in two-phase collective I/O (ROMIO's cb_nodes hint): the span
// the ranks touch together is split into that many domains, each read or
// written by one rank in large requests. Fewer aggregators means fewer,
// larger requests to the file system and more data over the network.
// The default, 0, is every rank (on one host the network is memory, and
// every rank writing its own domain measured fastest: bench/parallel).
// Ranks i*size/n for i < n aggregate, spread over the hosts.
func WithAggregators(n int) Option {
	return func(o *options) { o.twoPhase.aggregators = n; o.aggSet = true }
}

// WithCollectiveBuffer sets each aggregator's buffer in two-phase
// collective I/O (ROMIO's cb_buffer_size hint): a domain larger than
// this is read or written in rounds of this size. Default 32 MiB (16 MiB
// is ROMIO's; the tiles benchmark of bench/parallel measured 32 MiB no
// slower and with fewer rounds). It is rounded down to a multiple of
// 4 KiB, and at least 4 KiB.
func WithCollectiveBuffer(bytes uint64) Option {
	return func(o *options) { o.twoPhase.buffer = bytes }
}

// WithTwoPhaseReads turns two-phase collective reads on (the default) or
// off (ROMIO's romio_cb_read hint, enable or disable). On, a collective
// read whose ranks' selections fall into many short runs is read by the
// aggregators in large requests and scattered to the ranks: what a
// parallel file system needs when thousands of ranks read a 3-D
// decomposition back. Off, each rank reads its own runs, sieved (runs
// within 1 MiB read as one span). On one host with the file in the page
// cache, off measured 3-4x faster for the tiles benchmark (256 MiB cube,
// 2-8 ranks: 50-120 ms against 180-400 ms), both far ahead of h5py's
// collective read; the default follows ROMIO's, for file systems where
// every rank reading the whole span is what costs. If one rank turns it
// off, every rank reads its own runs.
func WithTwoPhaseReads(on bool) Option {
	return func(o *options) { o.twoPhase.noReads = !on }
}

// checkHints refuses hints that make no sense, before any file is touched.
func (o *options) checkHints() error {
	if a := o.align; a != nil && a.alignment > 1 && (a.alignment%8 != 0 || a.alignment > 1<<30) {
		return fmt.Errorf("WithAlignment(%d, %d): the alignment must be 0, 1 or a multiple of 8 up to 1 GiB: %w", a.threshold, a.alignment, ErrOption)
	}
	if o.aggSet && o.twoPhase.aggregators < 0 {
		return fmt.Errorf("WithAggregators(%d): want 0 (every rank) or more: %w", o.twoPhase.aggregators, ErrOption)
	}
	return nil
}

// applyAlignment gives the file's model WithAlignment's hint.
func (f *File) applyAlignment() {
	if a := f.align; a != nil {
		_ = f.model.SetAlignment(a.threshold, a.alignment) // checked by checkHints
	}
}
