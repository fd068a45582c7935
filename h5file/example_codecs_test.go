package h5file_test

import (
	"fmt"
	"log"

	"github.com/gorun-hpc/gorun/h5file"
)

// compressed writes 10000 float32s through opts, reads them back and
// prints the filters stored and the data's first and last values.
func compressed(opts ...h5file.DatasetOption) {
	path := tempPath("codec.h5")
	f, err := h5file.Create(path, "w")
	if err != nil {
		log.Fatal(err)
	}
	data := make([]float32, 10000)
	for i := range data {
		data[i] = float32(i / 10)
	}
	if _, err := f.CreateDatasetFrom("x", data, append(opts, h5file.Chunks(1000))...); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	f, err = h5file.Open(path, "r")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	d, _ := f.Dataset("x")
	back, err := h5file.ReadAll[float32](d)
	if err != nil {
		log.Fatal(err)
	}
	for _, fl := range d.Filters() {
		fmt.Println(fl.ID, fl.ClientData)
	}
	fmt.Println(back[0], back[9999])
}

// h5py's create_dataset(..., compression="lzf"); h5py reads it with its
// bundled LZF filter.
func ExampleLZF() {
	compressed(h5file.LZF())
	// Output:
	// 32000 [4 261 4000]
	// 0 999
}

// hdf5plugin.Blosc(cname='lz4', clevel=5, shuffle=Blosc.BITSHUFFLE): the
// client data are the plugin's {2, 2, element size, chunk bytes, level,
// shuffle, compressor}.
func ExampleBlosc() {
	compressed(h5file.Blosc("lz4", 5, h5file.BloscBitShuffle))
	// Output:
	// 32001 [2 2 4 4000 5 2 1]
	// 0 999
}

// hdf5plugin.Zstd(clevel=3).
func ExampleZstd() {
	compressed(h5file.Zstd(3))
	// Output:
	// 32015 [3]
	// 0 999
}

// hdf5plugin.LZ4(), after byte shuffling (h5py's shuffle=True).
func ExampleLZ4() {
	compressed(h5file.Shuffle(), h5file.LZ4())
	// Output:
	// 2 [4]
	// 32004 [0]
	// 0 999
}

// h5py's create_dataset(..., compression=307, compression_opts=(9,)).
func ExampleBzip2() {
	compressed(h5file.Bzip2(9), h5file.Fletcher32())
	// Output:
	// 307 [9]
	// 3 []
	// 0 999
}

// Filters lists what the dataset's chunks went through, in order.
func ExampleDataset_Filters() {
	compressed(h5file.Shuffle(), h5file.Gzip(4))
	// Output:
	// 2 [4]
	// 1 [4]
	// 0 999
}
