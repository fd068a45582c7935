// Command codecs_b benchmarks the Bitshuffle, scale-offset and N-bit
// filters on one process beside h5py with the same filter (libhdf5's own,
// or Debian's bitshuffle plugin), run in the same invocation with
// /usr/bin/python3, and prints a markdown table of median write and read
// times with each file's compression ratio.
//
//	go run ./bench/codecs_b -size 64MiB -runs 3
package main
