package h5core

import (
	"fmt"

	"github.com/gorun-hpc/gorun/filters/szip"
)

// szipCodec is H5Z_FILTER_SZIP, read only: files libhdf5 wrote with SZIP
// (through libaec) read here; writing SZIP is refused with an error naming
// the filters to use instead.
var szipCodec = Codec{
	ID:        FilterSZIP,
	Name:      "szip",
	ClassName: "szip",
	Plugin:    "libhdf5 built with libaec/szip",
	Encode: func(_ []uint32, _ []byte) ([]byte, error) {
		return nil, fmt.Errorf("h5core: writing SZIP (filter 4) is not supported, only reading it; use gzip, or a faster codec such as LZ4 or Zstandard: %w", ErrUnsupported)
	},
	Decode: func(cd []uint32, src []byte, max int) ([]byte, error) {
		out, err := szip.Decode(cd, src, max)
		if err != nil {
			return nil, fmt.Errorf("%w (%w)", err, ErrFormat)
		}
		return out, nil
	},
}
