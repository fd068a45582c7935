// Package scaleoffset is libhdf5's scale-offset filter
// (H5Z_FILTER_SCALEOFFSET, id 6): each chunk stores its minimum and, per
// value, value-minus-minimum in the fewest bits that hold the chunk's range.
// Integers are lossless (unless a bit count is forced); floats are first
// scaled by 10^D and their distance from the chunk's minimum rounded
// (D-scale), so they read back within half of 10^-D.
//
// The client data are the 20 values libhdf5's set_local writes
// (H5Zscaleoffset.c): scale type, scale factor, elements in a chunk, class,
// size, sign, byte order, whether a fill value is defined, and the fill
// value. A chunk is a 21-byte header (minimum bits, then the minimum) and
// the packed values. Encode and Decode reproduce libhdf5's bytes as a
// little-endian machine writes them, its fill-value rule included: a value
// equal to the fill value is stored as all ones and decodes to the fill.
package scaleoffset
