package h5core

import (
	"bytes"
	"testing"
)

// bruteSelect copies the selected elements of a row-major array (element
// values = their linear index as one byte) into a packed buffer.
func bruteSelect(shape []uint64, sel Hyperslab) []byte {
	var out []byte
	rank := len(shape)
	var walk func(d int, lin uint64)
	walk = func(d int, lin uint64) {
		if d == rank {
			out = append(out, byte(lin))
			return
		}
		for c := uint64(0); c < sel.Count[d]; c++ {
			for b := uint64(0); b < sel.block(d); b++ {
				walk(d+1, lin*shape[d]+sel.Start[d]+c*sel.stride(d)+b)
			}
		}
	}
	walk(0, 0)
	return out
}

func TestHyperslabRuns(t *testing.T) {
	cases := []struct {
		shape, chunk []uint64
		sel          Hyperslab
	}{
		{[]uint64{10}, []uint64{3}, Hyperslab{Start: []uint64{2}, Count: []uint64{5}}},
		{[]uint64{6, 7}, []uint64{4, 3}, All([]uint64{6, 7})},
		{[]uint64{6, 7}, []uint64{2, 5}, Hyperslab{Start: []uint64{1, 0}, Stride: []uint64{2, 3}, Count: []uint64{3, 2}, Block: []uint64{1, 2}}},
		{[]uint64{4, 5, 6}, []uint64{3, 2, 4}, Hyperslab{Start: []uint64{1, 1, 1}, Stride: []uint64{1, 2, 2}, Count: []uint64{3, 2, 2}, Block: []uint64{1, 1, 2}}},
		{[]uint64{}, nil, All(nil)},
	}
	for i, tc := range cases {
		n, _ := numElements(tc.shape)
		data := make([]byte, n)
		for j := range data {
			data[j] = byte(j)
		}
		want := bruteSelect(tc.shape, tc.sel)
		got := make([]byte, tc.sel.NumElements())
		err := ContiguousRuns(tc.shape, 1, tc.sel, func(r Run) error {
			copy(got[r.MemOff:r.MemOff+r.Len], data[r.Off:r.Off+r.Len])
			return nil
		})
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("case %d contiguous: %v %v want %v", i, err, got, want)
		}
		if len(tc.shape) == 0 {
			continue
		}
		got = make([]byte, tc.sel.NumElements())
		err = ChunkRuns(tc.shape, tc.chunk, 1, tc.sel, func(coords []uint64, runs []Run) error {
			// Build the chunk's contents from the dataset.
			cn, _ := numElements(tc.chunk)
			chunk := make([]byte, cn)
			for k := uint64(0); k < cn; k++ {
				rem, lin, inside := k, uint64(0), true
				idx := make([]uint64, len(tc.chunk))
				for d := len(tc.chunk) - 1; d >= 0; d-- {
					idx[d] = rem % tc.chunk[d]
					rem /= tc.chunk[d]
				}
				for d := range idx {
					c := coords[d] + idx[d]
					if c >= tc.shape[d] {
						inside = false
					}
					lin = lin*tc.shape[d] + c
				}
				if inside {
					chunk[k] = byte(lin)
				}
			}
			for _, r := range runs {
				copy(got[r.MemOff:r.MemOff+r.Len], chunk[r.Off:r.Off+r.Len])
			}
			return nil
		})
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("case %d chunked: %v %v want %v", i, err, got, want)
		}
	}
}

func TestHyperslabCheck(t *testing.T) {
	bad := []Hyperslab{
		{Start: []uint64{9}, Count: []uint64{2}},
		{Start: []uint64{0}, Count: []uint64{2}, Stride: []uint64{1}, Block: []uint64{2}},
		{Start: []uint64{0, 0}, Count: []uint64{1}},
		{Start: []uint64{0}, Count: []uint64{1 << 62}, Stride: []uint64{1 << 3}},
	}
	for i, s := range bad {
		if err := s.Check([]uint64{10}); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}
