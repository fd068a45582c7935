package h5file_test

import (
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5core"
	"github.com/gorun-hpc/gorun/h5file"
)

// Bitshuffle with LZ4 inside, as hdf5plugin.Bitshuffle(cname='lz4') writes
// it: h5py reads the file after `import hdf5plugin`.
func ExampleBitshuffle() {
	f, err := h5file.Create(tempPath("bitshuffle.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	counts := make([]int32, 10000)
	for i := range counts {
		counts[i] = int32(i / 100)
	}
	d, err := f.CreateDatasetFrom("counts", counts, h5file.Chunks(4096), h5file.Bitshuffle("lz4"))
	if err != nil {
		log.Fatal(err)
	}
	back, _ := h5file.ReadAll[int32](d)
	fmt.Println(back[0], back[150], back[9999])
	// Output: 0 1 99
}

// h5py's scaleoffset=2 on a float dataset: each chunk stores its minimum
// and each value's distance from it in hundredths, in as few bits as the
// chunk's range needs; values come back within 0.005 (libhdf5 reads these
// same values).
func ExampleScaleOffset() {
	f, err := h5file.Create(tempPath("scaleoffset.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.CreateDatasetFrom("t", []float64{20.123, 20.5, 21.017, 19.994}, h5file.ScaleOffset(2))
	if err != nil {
		log.Fatal(err)
	}
	back, _ := h5file.ReadAll[float64](d)
	fmt.Printf("%.4f\n", back)
	// Output: [20.1240 20.5040 21.0140 19.9940]
}

// A 12-bit signed integer stored in 2 bytes and packed by the N-bit filter
// (H5Tset_precision(12) and H5Pset_nbit in C): 12 bits per value on disk.
func ExampleNbit() {
	f, err := h5file.Create(tempPath("nbit.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	t := h5core.IntType(2, true, h5core.LittleEndian)
	t.Precision = 12
	d, err := f.CreateDatasetFrom("adc", []int16{-2048, -1, 0, 2047, 3000}, h5file.WithDtype(t), h5file.Nbit())
	if err != nil {
		log.Fatal(err)
	}
	back, _ := h5file.ReadAll[int16](d)
	fmt.Println(back) // 3000 does not fit in 12 bits: clipped, as libhdf5 does
	// Output: [-2048 -1 0 2047 2047]
}

// BitshuffleBlocks is hdf5plugin.Bitshuffle(nelems, cname, clevel).
func ExampleBitshuffleBlocks() {
	f, err := h5file.Create(tempPath("bitshuffle_zstd.h5"), "w")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, err := f.CreateDatasetFrom("x", []int64{1, 2, 3, 4, 5, 6, 7, 8, 9}, h5file.BitshuffleBlocks("zstd", 0, 9))
	if err != nil {
		log.Fatal(err)
	}
	back, _ := h5file.ReadAll[int64](d)
	fmt.Println(back)
	// Output: [1 2 3 4 5 6 7 8 9]
}
