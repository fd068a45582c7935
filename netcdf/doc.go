// Package netcdf writes and appends to netCDF-4 files from a serial or a
// parallel Go program: files that netCDF-C (ncdump, netCDF4-python) and
// xarray (both its netcdf4 and h5netcdf engines) open as netCDF-4, with
// named dimensions, coordinate variables and an unlimited dimension.
//
// A netCDF-4 file is an HDF5 file with conventions, all of which this
// package keeps on top of h5file:
//
//   - every dimension is a dimension scale (h5file's Dataset.MakeScale,
//     libhdf5's H5DS layout): a coordinate variable (a 1-D variable named
//     after its dimension) is its dimension's scale; a dimension without
//     one is a float32 dataset of its length, never written, whose NAME is
//     "This is a netCDF dimension but not a netCDF variable." and the
//     length in ten columns, as netCDF-C makes it;
//   - each scale has _Netcdf4Dimid (int32), which orders dimensions as
//     they were defined, and each variable _Netcdf4Coordinates, the ids
//     of its dimensions (netCDF-C 4.9 writes both);
//   - variables are datasets with DIMENSION_LIST naming the scale of each
//     dimension; an unlimited dimension is a maximum extent of Unlimited
//     (chunked storage, one record per chunk along it);
//   - _FillValue is both an attribute of the variable's type and the
//     dataset's fill value, so unwritten elements read as it everywhere;
//   - text attributes are NUL-terminated fixed-length ASCII strings,
//     netCDF's NC_CHAR; the root carries _NCProperties.
//
// Define the dimensions and variables (Create, DefDim, DefVar), call
// EndDef, then write data through each variable's h5file.Dataset
// (independently or collectively). In a parallel file (h5file.WithComm)
// every definition, EndDef, Grow and Close is collective: every rank makes
// the same calls with the same arguments, as with netCDF-C's nc_create_par.
//
// Open (mode "r+") reads the dimensions and variables of an existing
// netCDF-4 file through its dimension scales, whatever tool wrote it, so a
// program can append records (Grow the unlimited dimension, then write).
//
// netCDF-C iterates a group's members by creation order when the group
// tracks it, and otherwise by name; a file whose groups do not track
// creation order opens read-only in netCDF-C (ncdump, xarray and
// netCDF4-python in mode "r" read it; netCDF-C cannot append to it).
// Append to such a file with this package instead.
package netcdf
