"""Writes files holding object and region references with libhdf5
(through h5py's ref_dtype and regionref_dtype) into testdata/libhdf5/refs/,
in both format families. Beside each NAME.h5 it writes NAME.json: for each
reference, the path h5py dereferences it to and, for region references,
the selected values as h5py's dset[regref] returns them (flattened), which
the Go tests compare against h5file's Deref and ReadRegion.

Run: /usr/bin/python3 testdata/gen/refs.py   (h5py 3.7, libhdf5 1.10)
Deterministic: no timestamps (track_times off), fixed data.
"""
import json
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'libhdf5', 'refs')


def new_file(path, libver):
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(*{'earliest': (h5py.h5f.LIBVER_EARLIEST, h5py.h5f.LIBVER_LATEST),
                             'latest': (h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)}[libver])
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    return h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fapl=fapl, fcpl=fcpl))


# Region selections, as (description, index expression) pairs.
REGIONS = [
    ('2:5, 1:7:2', np.s_[2:5, 1:7:2]),
    ('...', np.s_[...]),
    ('[1, 3], 4', np.s_[[1, 3], 4]),
    ('3, 7', np.s_[3, 7]),
    ('0:10:3, 8:10', np.s_[0:10:3, 8:10]),
]


def write(path, libver):
    with new_file(path, libver) as f:
        d = f.create_dataset('data', data=np.arange(100, dtype='<i4').reshape(10, 10), track_times=False)
        g = f.create_group('g')
        g.create_dataset('inner', data=np.arange(3, dtype='<f8'), track_times=False)
        f.attrs['gref'] = g.ref
        f.attrs['refs'] = np.array([d.ref, g['inner'].ref], dtype=h5py.ref_dtype)
        r = f.create_dataset('refs', (5,), dtype=h5py.ref_dtype, track_times=False)
        r[0] = d.ref
        r[1] = g.ref
        r[2] = f.ref
        r[3] = g['inner'].ref  # r[4] stays a null reference
        
        rr = f.create_dataset('regrefs', (len(REGIONS),), dtype=h5py.regionref_dtype, track_times=False)
        for i, (_, sel) in enumerate(REGIONS):
            rr[i] = d.regionref[sel]
        d.attrs['self_region'] = d.regionref[1:3, 1:3]


def describe(path):
    out = {'attrs': {}, 'refs': [], 'regrefs': []}
    with h5py.File(path, 'r') as f:
        out['attrs']['gref'] = f[f.attrs['gref']].name
        out['attrs']['refs'] = [f[x].name for x in f.attrs['refs']]
        for x in f['refs'][...]:
            out['refs'].append(f[x].name if x else None)
        d = f['data']
        for (desc, sel), x in zip(REGIONS, f['regrefs'][...]):
            out['regrefs'].append({'selection': desc, 'dataset': f[x].name,
                                   'values': [int(v) for v in np.asarray(d[x]).ravel()]})
        x = d.attrs['self_region']
        out['self_region'] = [int(v) for v in np.asarray(d[x]).ravel()]
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for libver in ('earliest', 'latest'):
        path = os.path.join(OUT, libver + '_refs.h5')
        write(path, libver)
        with open(os.path.join(OUT, libver + '_refs.json'), 'w') as j:
            json.dump(describe(path), j, indent=1, sort_keys=True)
            j.write('\n')


if __name__ == '__main__':
    main()
