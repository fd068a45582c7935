// Command codecs benchmarks h5file's compression filters on one process
// beside h5py with the same libhdf5 plugin (run in the same invocation with
// /usr/bin/python3 and Debian's plugins), and prints a markdown table of
// median write and read times with each file's compression ratio; -svg
// writes a plot of write time against ratio.
//
//	go run ./bench/codecs -size 64MiB -runs 3 -svg bench/codecs/codecs.svg
package main
