package h5file_test

import (
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5file"
)

// Where a chunk is stored, and its compressed bytes: h5py's
// dset.id.get_chunk_info_by_coord and dset.id.read_direct_chunk.
func ExampleDataset_ReadDirectChunk() {
	path := tempPath("chunks.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[int32](f, "x", []uint64{8, 8}, h5file.Chunks(4, 4), h5file.Gzip(6))
	if err != nil {
		log.Fatal(err)
	}
	if err := d.Write(make([]int32, 64)); err != nil {
		log.Fatal(err)
	}
	info, err := d.ChunkInfo([]uint64{5, 6}) // any element of the chunk
	if err != nil {
		log.Fatal(err)
	}
	raw, mask, err := d.ReadDirectChunk(info.Offset)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Offset, len(raw) == int(info.Size), mask)
	// Output: [4 4] true 0
}
