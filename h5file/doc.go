// Package h5file is the HDF5 API people touch, shaped after h5py's high-level
// layer: File, Group, Dataset, Attribute and hyperslab selections, with Go
// types mapped to HDF5 types for you. It drives h5core's in-memory model for
// metadata and reads and writes raw data straight to the file at offsets
// taken from the layout.
//
// With a communicator (WithComm, the Go of h5py's driver='mpio') one file is
// shared by every rank of a job: metadata calls are collective, each rank
// applies them to its own model and the ranks compare a digest of the calls
// in batches (a rank that made another call gets a *MismatchError naming it),
// rank 0 alone writes metadata, and every rank writes its own data. A
// collective write whose ranks' parts fall into many short runs of a
// contiguous or unfiltered chunked dataset (a 2-D or 3-D block
// decomposition) goes in two phases,
// as MPI-IO's collective buffering: the ranks exchange the data so each
// writes one span of the file in a few large writes. One exception to
// "metadata calls are collective": File.Independent lets a rank create
// groups, datasets and attributes alone; every rank applies every rank's
// such creations, in rank order, at the next Flush or Close.
//
// External links (h5py's ExternalLink) are followed on read: the linked
// file is opened read-only where libhdf5 would find it. So are the files
// behind external storage (h5py's external=) and virtual datasets (h5py's
// VirtualLayout), which read as h5py reads them; files with a user block
// open read-only. A read whose buffer would exceed the memory available
// fails with ErrTooLarge before allocating.
//
// Files are locked while open, as libhdf5 locks them (exclusive to write,
// shared to read; HDF5_USE_FILE_LOCKING=FALSE turns it off): h5py and a
// gorun program keep out of each other's files, and the ranks of a job
// that each create one file without WithComm get ErrLocked telling them
// to pass it, instead of overwriting each other's data.
//
// Errors of calls on a file or an object in it are *OpError values
// ("h5file: write /grid/temp: ..."), which wrap sentinels such as
// ErrShape, ErrExists and ErrLocked for errors.Is.
//
// Object and region references (Ref, RegionRef: h5py's ref_dtype and
// regionref_dtype) are values like any other in datasets and attributes;
// File.Deref and File.DerefRegion follow them. They name objects by header
// address, which never changes once an object is flushed. Dimension scales
// (Dataset.MakeScale, Dataset.Dim) are h5py's dims, in libhdf5's H5DS
// layout, which netCDF-4 and xarray read as named dimensions (package
// netcdf builds netCDF-4 files on them).
package h5file
