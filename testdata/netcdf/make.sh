#!/bin/sh
# Makes the netCDF-4 files the tests open with "a" and append to:
#   ncgen4.nc  from ncgen4.cdl by netCDF-C's ncgen -4 (superblock 2,
#              dimension scales, creation-order tracked links and attributes)
#   nc4py.nc   by netCDF4-python (the same variables)
# Run from this directory: sh make.sh   (Debian: netcdf-bin, python3-netcdf4)
set -e
ncgen -4 -o ncgen4.nc ncgen4.cdl
/usr/bin/python3 - <<'PY'
import netCDF4, numpy as np
with netCDF4.Dataset('nc4py.nc', 'w', format='NETCDF4') as ds:
    ds.title = 'netCDF4-python'
    ds.createDimension('time', None)
    ds.createDimension('y', 3)
    ds.createDimension('x', 4)
    t = ds.createVariable('time', 'f8', ('time',))
    t.units = 'seconds since 2026-01-01'
    ds.createVariable('y', 'f4', ('y',))[:] = np.arange(3)
    ds.createVariable('x', 'f4', ('x',))[:] = np.arange(4)
    v = ds.createVariable('temperature', 'f4', ('time', 'y', 'x'), fill_value=-999.0)
    v.units = 'K'
    for s in range(2):
        t[s] = 3600 * s
        v[s] = 100 * s + np.arange(3)[:, None] + np.arange(4)[None, :] / 1000
PY
