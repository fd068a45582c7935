"""Writes files with dimension scales made by libhdf5's H5DS (through h5py's
dims) into testdata/libhdf5/dimscales/, in both format families. Beside each
NAME.h5 it writes NAME.json: for every dataset, per dimension, its label and
the paths of its attached scales, and for every scale its NAME, as h5py
reads them; the Go tests compare h5file's Dim API with it.

Run: /usr/bin/python3 testdata/gen/dimscales.py   (h5py 3.7, libhdf5 1.10)
Deterministic: no timestamps (track_times off), fixed data.
"""
import json
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'libhdf5', 'dimscales')


def new_file(path, libver):
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(*{'earliest': (h5py.h5f.LIBVER_EARLIEST, h5py.h5f.LIBVER_LATEST),
                             'latest': (h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)}[libver])
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    return h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fapl=fapl, fcpl=fcpl))


def write(path, libver):
    with new_file(path, libver) as f:
        data = f.create_dataset('data', data=np.arange(12, dtype='<f4').reshape(3, 4), track_times=False)
        other = f.create_dataset('other', data=np.zeros((4, 2)), track_times=False)
        x = f.create_dataset('x', data=np.arange(4, dtype='<f8'), track_times=False)
        y = f.create_dataset('y', data=np.arange(3, dtype='<f8'), track_times=False)
        x2 = f.create_dataset('g/x_km', data=np.arange(4, dtype='<f8') / 1000, track_times=False)
        x.make_scale('x')
        y.make_scale('y')
        x2.make_scale()
        data.dims[0].attach_scale(y)
        data.dims[1].attach_scale(x)
        data.dims[1].attach_scale(x2)
        other.dims[0].attach_scale(x)
        data.dims[0].label = 'rows'
        data.dims[1].label = 'cols'
        other.dims[1].label = 'pair'


def describe(path):
    out = {'datasets': {}, 'scales': {}}
    with h5py.File(path, 'r') as f:
        def visit(name, o):
            if not isinstance(o, h5py.Dataset):
                return
            if h5py.h5ds.is_scale(o.id):
                out['scales'][o.name] = o.attrs['NAME'].decode() if 'NAME' in o.attrs else ''
            else:
                out['datasets'][o.name] = [{'label': dim.label, 'scales': [s.name for s in dim.values()]}
                                           for dim in o.dims]
        f.visititems(visit)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for libver in ('earliest', 'latest'):
        path = os.path.join(OUT, libver + '_dimscales.h5')
        write(path, libver)
        with open(os.path.join(OUT, libver + '_dimscales.json'), 'w') as j:
            json.dump(describe(path), j, indent=1, sort_keys=True)
            j.write('\n')


if __name__ == '__main__':
    main()
