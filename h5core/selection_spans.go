package h5core

import (
	"fmt"
	"sort"
)

// Span is a run of elements with consecutive row-major linear indexes.
type Span struct {
	Start, Len uint64
}

// Spans returns the elements Elements returns, in the same order, as runs
// of consecutive indexes: one span for an all selection, a span per row
// of a hyperslab (rows merged where they touch), so a reader copies runs
// instead of elements.
func (s Selection) Spans(shape []uint64, limit uint64) ([]Span, error) {
	switch s.Kind {
	case SelectNone:
		return nil, nil
	case SelectAll:
		total, ok := numElements(shape)
		if !ok || total > limit {
			return nil, fmt.Errorf("h5core: selection of all of %v exceeds the limit of %d elements", shape, limit)
		}
		if total == 0 {
			return nil, nil
		}
		return []Span{{0, total}}, nil
	case SelectPoints:
		idx, err := s.Elements(shape, limit)
		if err != nil {
			return nil, err
		}
		return spansOf(idx), nil
	}
	if s.Rank != len(shape) {
		return nil, fmt.Errorf("h5core: selection of rank %d in a dataspace of rank %d: %w", s.Rank, len(shape), ErrFormat)
	}
	var hs []Hyperslab
	if s.Regular != nil {
		h := filled(*s.Regular)
		if len(h.Start) != s.Rank || len(h.Count) != s.Rank || len(h.Stride) != s.Rank || len(h.Block) != s.Rank {
			return nil, fmt.Errorf("h5core: hyperslab of another rank than its selection: %w", ErrFormat)
		}
		if err := checkRegularSpan(h, shape, limit); err != nil {
			return nil, err
		}
		hs = []Hyperslab{h}
	} else {
		var n uint64
		for _, b := range s.Blocks {
			h := Hyperslab{Start: b[0], Count: make([]uint64, len(b[0]))}
			m := uint64(1)
			for j := range b[0] {
				if b[0][j] > b[1][j] || b[1][j] >= shape[j] {
					return nil, fmt.Errorf("h5core: hyperslab block %v outside the dataspace %v: %w", b, shape, ErrFormat)
				}
				h.Count[j] = b[1][j] - b[0][j] + 1
				m *= h.Count[j]
			}
			if n += m; n > limit {
				return nil, fmt.Errorf("h5core: selection of %d elements exceeds the limit of %d", n, limit)
			}
			hs = append(hs, h)
		}
	}
	var out []Span
	for _, h := range hs {
		err := ContiguousRuns(shape, 1, h, func(r Run) error {
			out = append(out, Span{r.Off, r.Len})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(hs) > 1 {
		// A union of blocks goes in row-major order, each element once.
		sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
		for i := 1; i < len(out); i++ {
			if out[i].Start < out[i-1].Start+out[i-1].Len {
				// Overlapping blocks: element by element.
				idx, err := s.Elements(shape, limit)
				if err != nil {
					return nil, err
				}
				return spansOf(idx), nil
			}
		}
	}
	return mergeSpans(out), nil
}

// checkRegularSpan applies Elements' checks to a regular hyperslab.
func checkRegularSpan(h Hyperslab, shape []uint64, limit uint64) error {
	for j := range h.Count {
		if h.Count[j] == Unlimited || h.Block[j] == Unlimited {
			return fmt.Errorf("h5core: unlimited virtual mapping: %w", ErrUnsupported)
		}
	}
	if err := checkRegular(h); err != nil { // coordinates that overflow
		return err
	}
	n := uint64(1)
	for j := range h.Count {
		if h.Count[j] == Unlimited || h.Block[j] == Unlimited {
			return fmt.Errorf("h5core: unlimited virtual mapping: %w", ErrUnsupported)
		}
		if h.Count[j] == 0 || h.Block[j] == 0 {
			return nil
		}
		if h.Count[j] > 1 && h.Stride[j] < h.Block[j] {
			return fmt.Errorf("h5core: hyperslab with blocks wider than their stride: %w", ErrFormat)
		}
		last := h.Start[j] + (h.Count[j]-1)*h.Stride[j] + h.Block[j] - 1
		if h.Count[j] > shape[j] || h.Block[j] > shape[j] || last >= shape[j] || last < h.Start[j] {
			return fmt.Errorf("h5core: hyperslab %v outside the dataspace %v: %w", h, shape, ErrFormat)
		}
		n *= h.Count[j] * h.Block[j]
	}
	if n > limit {
		return fmt.Errorf("h5core: selection of %d elements exceeds the limit of %d", n, limit)
	}
	return nil
}

// filled returns h with nil Stride and Block spelled out as ones.
func filled(h Hyperslab) Hyperslab {
	ones := func(v []uint64) []uint64 {
		if v != nil {
			return v
		}
		v = make([]uint64, len(h.Start))
		for i := range v {
			v[i] = 1
		}
		return v
	}
	h.Stride, h.Block = ones(h.Stride), ones(h.Block)
	return h
}

// spansOf turns indexes into runs of consecutive ones, order kept.
func spansOf(idx []uint64) []Span {
	var out []Span
	for _, v := range idx {
		if n := len(out); n > 0 && out[n-1].Start+out[n-1].Len == v {
			out[n-1].Len++
			continue
		}
		out = append(out, Span{v, 1})
	}
	return out
}

// mergeSpans joins spans that follow one another.
func mergeSpans(in []Span) []Span {
	var out []Span
	for _, s := range in {
		if n := len(out); n > 0 && out[n-1].Start+out[n-1].Len == s.Start {
			out[n-1].Len += s.Len
			continue
		}
		out = append(out, s)
	}
	return out
}
