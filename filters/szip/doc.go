// Package szip decodes libhdf5's SZIP filter (H5Z_FILTER_SZIP, id 4) as
// libhdf5 writes it through libaec: Adaptive Entropy Coding (CCSDS
// 121.0-B, Rice coding with a zero-block and a second-extension option),
// with the nearest-neighbour predictor when the NN option is set. It
// decodes only: files written with SZIP read here; we write no SZIP.
//
// The layout is libaec's (src/decode.c and src/sz_compat.c): an HDF5 chunk
// is the decoded size (4 bytes, little-endian) and an AEC stream of
// samples of bits_per_pixel bits, with 32- and 64-bit pixels coded as bytes
// whose planes were interleaved, and scanlines padded to whole blocks.
// The client data are libhdf5's: options mask, pixels per block, bits per
// pixel, pixels per scanline.
package szip
