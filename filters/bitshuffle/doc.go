// Package bitshuffle is the Bitshuffle HDF5 filter (id 32008, the
// bitshuffle plugin that hdf5plugin.Bitshuffle sets up): within blocks of
// elements it transposes the bits so that bit k of every element lies
// together, then optionally compresses each block with LZ4 or Zstandard.
//
// The bytes are those of bitshuffle's bshuf_h5filter.c: the transpose is
// bshuf_trans_bit_elem; a block holds block-size elements (client data
// value 3, or 0 for bshuf_default_block_size: 8 KiB of elements, a
// multiple of 8, at least 128), the last block is rounded down to a
// multiple of 8 elements and the elements left over are stored as they are.
// A compressed chunk starts with the decoded size (8 bytes, big-endian) and
// the block size in bytes (4 bytes, big-endian), and each block is its
// compressed size (4 bytes, big-endian) followed by an LZ4 block or a
// Zstandard frame.
package bitshuffle
