// Package interop runs libhdf5's own tools (h5dump, h5ls) and h5py from Go
// tests, so tests can prove our files read back exactly in the reference
// implementation, and compares outputs with golden files.
package interop
