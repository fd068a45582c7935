package h5core

import bytesh "github.com/gorun-hpc/gorun/filters/shuffle"

// shuffleCodec is libhdf5's H5Z_FILTER_SHUFFLE: byte j of every element
// grouped together, cd_values {element size}, which its set_local fills.
var shuffleCodec = Codec{
	ID:        FilterShuffle,
	Name:      "shuffle",
	ClassName: "shuffle",
	Encode: func(cd []uint32, src []byte) ([]byte, error) {
		return shuffle(src, shuffleSize(cd)), nil
	},
	Decode: func(cd []uint32, src []byte, max int) ([]byte, error) {
		if len(src) > max {
			return nil, formatErr(0, "shuffled chunk longer than its decoded size", len(src))
		}
		return unshuffle(src, shuffleSize(cd)), nil
	},
	SetLocal: func(cd []uint32, t *Datatype, _ []uint64) []uint32 {
		if len(cd) == 0 || cd[0] == 0 {
			return []uint32{t.Size}
		}
		return cd
	},
}

func shuffleSize(cd []uint32) int {
	if len(cd) > 0 && cd[0] > 0 {
		return int(cd[0])
	}
	return 1
}

// shuffle groups byte j of every element together (H5Z_filter_shuffle).
func shuffle(in []byte, s int) []byte {
	out := make([]byte, len(in))
	bytesh.Shuffle(out, in, s)
	return out
}

func unshuffle(in []byte, s int) []byte {
	out := make([]byte, len(in))
	bytesh.Unshuffle(out, in, s)
	return out
}
