// Command serial benchmarks h5file on one process beside h5py (run in the
// same invocation with /usr/bin/python3) and a raw pwrite/pread of the same
// bytes, and prints a markdown table of medians and ratios.
//
//	go run ./bench/serial -size 1GiB -runs 5
package main
