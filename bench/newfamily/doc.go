// Command newfamily benchmarks metadata in the new (libver latest) file
// family: gorun with h5file.WithLibver(h5file.LibverLatest) against h5py with
// libver='latest', both in the same run, alternating, medians. Cases are
// many datasets in one file, many attributes on one object, and one group of
// many soft links, each at two counts a factor of ten apart, so the table
// shows both the ratio to h5py and whether each side is linear in the count.
//
//	go run ./bench/newfamily -runs 5
package main
