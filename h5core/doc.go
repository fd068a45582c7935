// Package h5core is the HDF5 file format in pure Go: it turns an in-memory
// model of a file (superblock, object headers and their messages, B-trees,
// heaps, datatypes, dataspaces, layouts, filters) into bytes and back.
//
// It never opens a file or a socket: it reads through io.ReaderAt and writes
// through io.WriterAt, and it is deterministic, so the same sequence of calls
// gives the same bytes at the same addresses on every rank of a parallel job.
// That property is what lets h5file keep one identical model per rank with no
// metadata traffic. Malformed input gives a *FormatError naming the file
// offset, never a panic, and no length read from a file is trusted before it
// is checked against the file's size.
package h5core
