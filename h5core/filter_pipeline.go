package h5core

// Filter IDs (H5Z_FILTER_*).
const (
	FilterDeflate     uint16 = 1
	FilterShuffle     uint16 = 2
	FilterFletcher32  uint16 = 3
	FilterSZIP        uint16 = 4
	FilterNbit        uint16 = 5
	FilterScaleOffset uint16 = 6
)

// FilterOptional is the filter flag libhdf5 sets on filters that may be
// skipped for a chunk that would not shrink (deflate, shuffle).
const FilterOptional uint16 = 1

// Filter is one stage of a dataset's filter pipeline, in the order data is
// encoded.
type Filter struct {
	ID         uint16
	Flags      uint16
	Name       string
	ClientData []uint32
}

// Deflate returns the deflate filter at level 0..9, as H5Pset_deflate.
func Deflate(level int) Filter {
	return Filter{ID: FilterDeflate, Flags: FilterOptional, Name: "deflate", ClientData: []uint32{uint32(level)}}
}

// Shuffle returns the byte shuffle filter for elements of elemSize bytes.
func Shuffle(elemSize uint32) Filter {
	return Filter{ID: FilterShuffle, Flags: FilterOptional, Name: "shuffle", ClientData: []uint32{elemSize}}
}

// Fletcher32 returns the Fletcher-32 checksum filter.
func Fletcher32() Filter {
	return Filter{ID: FilterFletcher32, Name: "fletcher32"}
}

// H5pyFilters returns the pipeline h5py builds for create_dataset's
// shuffle, compression='gzip' (gzipLevel < 0: none) and fletcher32, in
// h5py's order: shuffle, deflate, fletcher32.
func H5pyFilters(elemSize uint32, shuffle bool, gzipLevel int, fletcher32 bool) []Filter {
	var fs []Filter
	if shuffle {
		fs = append(fs, Shuffle(elemSize))
	}
	if gzipLevel >= 0 {
		fs = append(fs, Deflate(gzipLevel))
	}
	if fletcher32 {
		fs = append(fs, Fletcher32())
	}
	return fs
}

// encodePipeline returns a version 1 filter pipeline message.
func encodePipeline(fs []Filter) []byte {
	b := []byte{1, uint8(len(fs)), 0, 0, 0, 0, 0, 0}
	for _, f := range fs {
		b = put16(b, f.ID)
		nameLen := 0
		if f.Name != "" {
			nameLen = pad(len(f.Name)+1, 8)
		}
		b = put16(b, uint16(nameLen))
		b = put16(b, f.Flags)
		b = put16(b, uint16(len(f.ClientData)))
		if f.Name != "" {
			b = putName(b, f.Name, 8)
		}
		for _, v := range f.ClientData {
			b = put32(b, v)
		}
		if len(f.ClientData)%2 == 1 {
			b = put32(b, 0)
		}
	}
	return b
}

func decodePipeline(b []byte, off int64) ([]Filter, error) {
	c := newCursor(b, off, "filter pipeline message")
	ver := c.u8()
	n := int(c.u8())
	switch ver {
	case 1:
		c.skip(6)
	case 2:
	default:
		c.fail("filter pipeline version", ver)
	}
	if n > 32 {
		c.fail("number of filters", n)
	}
	var fs []Filter
	for i := 0; i < n && c.err == nil; i++ {
		var f Filter
		f.ID = c.u16()
		nameLen := 0
		if ver == 1 || f.ID >= 256 {
			nameLen = int(c.u16())
		}
		f.Flags = c.u16()
		nv := int(c.u16())
		if nameLen > 0 {
			nb := c.bytes(nameLen)
			for j, ch := range nb {
				if ch == 0 {
					nb = nb[:j]
					break
				}
			}
			f.Name = string(nb)
		}
		if nv > c.rest()/4 {
			c.fail("filter client data count", nv)
			break
		}
		for j := 0; j < nv; j++ {
			f.ClientData = append(f.ClientData, c.u32())
		}
		if ver == 1 && nv%2 == 1 {
			c.skip(4)
		}
		fs = append(fs, f)
	}
	if c.err != nil {
		return nil, c.err
	}
	return fs, nil
}
