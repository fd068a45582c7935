// Package h5file is the HDF5 API people touch, shaped after h5py's high-level
// layer: File, Group, Dataset, Attribute and hyperslab selections, with Go
// types mapped to HDF5 types for you. It drives h5core's in-memory model for
// metadata and reads and writes raw data straight to the file at offsets
// taken from the layout, so a later communicator (WithComm) can make every
// metadata call collective without touching the data path.
package h5file
