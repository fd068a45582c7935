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
//
// It writes the format libhdf5 1.10 writes by default (superblock 0, version 1
// object headers, symbol-table groups, layout message 3 with a version 1
// B-tree chunk index, 8-byte addresses), which every HDF5 reader opens, and,
// with WithLibver(LibverLatest), libhdf5's newer family (superblock 3,
// version 2 object headers, link messages, dense link and attribute storage
// in fractal heaps and version 2 B-trees, layout 4 chunk indexes chosen as
// libhdf5 chooses them). It reads both, and a file it opens keeps its
// family when changed. Every structure's encoder sits beside its decoder.
// Object headers keep the address they were first given (flushes rewrite
// them in place), so object references stay valid (ARCHITECTURE.md
// decisions 5 and 6).
// It finds the superblock after a user block (at 512, 1024, ... as
// libhdf5 does; such files are read-only here), and describes external
// storage (External) and virtual datasets (Virtual) for the caller to read.
//
// Using the model:
//
//	f := h5core.NewFile()                        // or h5core.Open(r, size)
//	d, _ := f.Root().CreateDataset("g/test", h5core.DatasetSpec{Type: h5core.Int32LE, Shape: []uint64{4}})
//	addr, _ := d.DataAddr()                      // storage is allocated at creation
//	w.WriteAt(raw, int64(addr))                  // the caller writes raw data
//	f.Flush(w)                                   // new metadata, superblock, headers in place
//
// Chunked datasets: unfiltered chunks are allocated at creation and Resize
// (Dataset.Chunk gives their addresses; the chunks a libhdf5 file never
// allocated, which libhdf5 allocates on first write, AllocChunk places);
// filtered chunks are encoded with
// EncodeChunk and placed with Dataset.AllocChunk. The filters h5core encodes
// and decodes (deflate, shuffle, fletcher32 and the plugins' LZF, Blosc,
// LZ4, Zstandard, bzip2) are the codecs table in filter_registry.go, one
// codec_<name>.go each. Variable-length elements
// go to the global heap with File.PutVlen, which returns the reference to
// store in the raw data. Hyperslab selections map to byte runs with
// ContiguousRuns and ChunkRuns.
//
// In a parallel job every rank must make the same calls, Flush included
// (ranks that do not write pass a writer that discards), so that their
// allocators stay in step.
package h5core
