package h5file_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
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

// A chunk cache as h5py's File(path, rdcc_nbytes=4 << 20, rdcc_nslots=1009,
// rdcc_w0=0.75): reading a compressed dataset a few elements at a time
// decodes each chunk once.
func ExampleWithChunkCache() {
	path := tempPath("cached.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	d, err := h5file.CreateDatasetOf[int32](f, "x", []uint64{1000}, h5file.Chunks(500), h5file.Gzip(4))
	if err != nil {
		log.Fatal(err)
	}
	x := make([]int32, 1000)
	for i := range x {
		x[i] = int32(i)
	}
	if err := d.Write(x); err != nil {
		log.Fatal(err)
	}
	f.Close()

	f, err = h5file.Open(path, "r", h5file.WithChunkCache(4<<20, 1009, 0.75))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err = f.Dataset("x")
	if err != nil {
		log.Fatal(err)
	}
	sum := int32(0)
	for i := int64(0); i < 1000; i += 10 {
		v := make([]int32, 1)
		if err := d.ReadSel(h5file.S(h5file.Range(i, i+1)), v); err != nil {
			log.Fatal(err)
		}
		sum += v[0]
	}
	fmt.Println(sum)
	// Output: 49500
}

// The part of a selection in each chunk, as h5py's
// dset.iter_chunks(np.s_[2:7, :]): read a compressed dataset a chunk at a
// time.
func ExampleDataset_IterChunks() {
	f, err := h5file.Create(tempPath("iter.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[float32](f, "x", []uint64{8, 6}, h5file.Chunks(4, 4), h5file.Gzip(4))
	if err != nil {
		log.Fatal(err)
	}
	chunks, err := d.IterChunks(h5file.S(h5file.Range(2, 7), h5file.All))
	if err != nil {
		log.Fatal(err)
	}
	for sel := range chunks {
		fmt.Println(sel)
	}
	// Output:
	// [{2 4 1} {0 4 1}]
	// [{2 4 1} {4 6 1}]
	// [{4 7 1} {0 4 1}]
	// [{4 7 1} {4 6 1}]
}

// Storing a chunk compressed elsewhere, as h5py's
// dset.id.write_direct_chunk(offset, data, filter_mask): here zlib's
// output for a chunk of four int32 values, which the gzip filter reads
// back.
func ExampleDataset_WriteDirectChunk() {
	f, err := h5file.Create(tempPath("direct.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := h5file.CreateDatasetOf[int32](f, "x", []uint64{8}, h5file.Chunks(4), h5file.Gzip(4))
	if err != nil {
		log.Fatal(err)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	binary.Write(zw, binary.LittleEndian, []int32{7, 8, 9, 10})
	zw.Close()
	if err := d.WriteDirectChunk([]uint64{4}, z.Bytes(), 0); err != nil {
		log.Fatal(err)
	}
	x := make([]int32, 8)
	if err := d.Read(x); err != nil {
		log.Fatal(err)
	}
	fmt.Println(x)
	// Output: [0 0 0 0 7 8 9 10]
}
