package h5core

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
	n := len(in) / s
	if s <= 1 || n <= 1 {
		copy(out, in)
		return out
	}
	for i := 0; i < n; i++ {
		for j := 0; j < s; j++ {
			out[j*n+i] = in[i*s+j]
		}
	}
	copy(out[n*s:], in[n*s:])
	return out
}

func unshuffle(in []byte, s int) []byte {
	out := make([]byte, len(in))
	n := len(in) / s
	if s <= 1 || n <= 1 {
		copy(out, in)
		return out
	}
	for i := 0; i < n; i++ {
		for j := 0; j < s; j++ {
			out[i*s+j] = in[j*n+i]
		}
	}
	copy(out[n*s:], in[n*s:])
	return out
}
