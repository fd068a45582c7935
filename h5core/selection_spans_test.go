package h5core

import (
	"math/rand"
	"slices"
	"testing"
)

// TestSpansMatchElements: for random selections of every form (all,
// points, regular hyperslabs, unions of blocks, overlapping or
// interleaved), expanding Spans gives exactly Elements, in order.
func TestSpansMatchElements(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for iter := 0; iter < 3000; iter++ {
		rank := 1 + rng.Intn(3)
		shape := make([]uint64, rank)
		for i := range shape {
			shape[i] = uint64(1 + rng.Intn(7))
		}
		s := Selection{Kind: SelectionKind(rng.Intn(4)), Rank: rank}
		switch s.Kind {
		case SelectPoints:
			for k := rng.Intn(6); k >= 0; k-- {
				p := make([]uint64, rank)
				for j := range p {
					p[j] = uint64(rng.Intn(int(shape[j])))
				}
				s.Points = append(s.Points, p)
			}
		case SelectBlocks:
			if rng.Intn(2) == 0 {
				h := Hyperslab{}
				for j := 0; j < rank; j++ {
					block := uint64(1 + rng.Intn(2))
					stride := block + uint64(rng.Intn(2))
					start := uint64(rng.Intn(int(shape[j])))
					count := uint64(1)
					for start+count*stride+block-1 < shape[j]+stride-1 && start+(count)*stride+block <= shape[j] && rng.Intn(3) > 0 {
						count++
					}
					if start+block > shape[j] {
						block, stride = 1, 1
					}
					h.Start, h.Stride, h.Count, h.Block = append(h.Start, start), append(h.Stride, stride), append(h.Count, count), append(h.Block, block)
				}
				s.Regular = &h
			} else {
				for k := rng.Intn(4); k >= 0; k-- {
					var b [2][]uint64
					for j := 0; j < rank; j++ {
						lo := uint64(rng.Intn(int(shape[j])))
						hi := lo + uint64(rng.Intn(int(shape[j]-lo)))
						b[0], b[1] = append(b[0], lo), append(b[1], hi)
					}
					s.Blocks = append(s.Blocks, b)
				}
			}
		}
		want, werr := s.Elements(shape, 1<<20)
		spans, serr := s.Spans(shape, 1<<20)
		if (werr == nil) != (serr == nil) {
			t.Fatalf("%+v in %v: Elements error %v, Spans error %v", s, shape, werr, serr)
		}
		var got []uint64
		for _, sp := range spans {
			for k := uint64(0); k < sp.Len; k++ {
				got = append(got, sp.Start+k)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%+v (regular %+v) in %v: spans %v, elements %v", s, s.Regular, shape, spans, want)
		}
	}
}
