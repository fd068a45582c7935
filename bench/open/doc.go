// Command open benchmarks opening files beside h5py (libhdf5) in the same
// invocation, alternating, and prints a markdown table of medians: open
// of a file of 10k objects (100 groups of 99 datasets) made by h5py, open
// and one dataset's attribute, open and visit everything, and open and
// list a group of 100k members (issue 14: lazy open).
//
//	go run ./bench/open -runs 7 -reps 20
package main
