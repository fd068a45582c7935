// Package nbit is libhdf5's N-bit filter (H5Z_FILTER_NBIT, id 5): it keeps
// only the precision bits of each integer or floating-point value (a
// datatype whose precision is less than its size, such as a 12-bit integer
// stored in 2 bytes) and packs them end to end, most significant bit first.
//
// The client data (cd_values) are the ones libhdf5's set_local writes
// (H5Znbit.c): [0] the number of values, [1] 1 if every value is full
// precision (then the filter copies), [2] the elements in a chunk, then a
// description of the datatype: class 1 (atomic) size order precision
// offset; 2 (array) size and the base type; 3 (compound) size, members and
// per member its offset and type; 4 (other) size, copied whole. Encode and
// Decode are pure functions over those values, byte for byte as libhdf5.
package nbit
