"""Writes small files with libhdf5 (through h5py) into testdata/libhdf5/,
in both format families: libver='earliest' (superblock 0, v1 object headers)
and libver='latest' (superblock 3, v2 object headers, link/attribute dense
storage, layout 4 chunk indexes). Beside each file NAME.h5 it writes
NAME.json: every dataset and attribute as h5py reads it (dtype, shape, and
the values as little-endian bytes in hex, or the strings), which the Go
tests compare against h5core's reader.

Run: /usr/bin/python3 testdata/gen/libhdf5.py   (h5py 3.7, libhdf5 1.10)
Deterministic: no timestamps (track_times off), fixed data.
"""
import json
import os
import sys

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'libhdf5')


def dset(g, name, data=None, shape=None, dtype=None, **kw):
    kw.setdefault('track_times', False)
    return g.create_dataset(name, shape=shape, dtype=dtype, data=data, **kw)


def group(parent, name, track_order=False):
    """create_group without timestamps (h5py has no track_times for groups),
    intermediate groups created, optionally tracking creation order."""
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    if track_order:
        gcpl.set_link_creation_order(h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED)
        gcpl.set_attr_creation_order(h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED)
    lcpl = h5py.h5p.create(h5py.h5p.LINK_CREATE)
    lcpl.set_create_intermediate_group(True)
    return h5py.Group(h5py.h5g.create(parent.id, name.encode(), lcpl=lcpl, gcpl=gcpl))


def new_file(path, libver):
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(*{'earliest': (h5py.h5f.LIBVER_EARLIEST, h5py.h5f.LIBVER_LATEST),
                             'latest': (h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)}[libver])
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    return h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fapl=fapl, fcpl=fcpl))


def early_alloc(g, name, shape, chunks, dtype, fill):
    """Chunked, allocation time early, no filter: libhdf5's implicit index."""
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk(chunks)
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    dcpl.set_fill_value(np.array(fill, dtype=dtype))
    dcpl.set_obj_track_times(False)
    space = h5py.h5s.create_simple(shape, shape)
    dsid = h5py.h5d.create(g.id, name.encode(), h5py.h5t.py_create(np.dtype(dtype)), space, dcpl=dcpl)
    return h5py.Dataset(dsid)


def groups(f):
    for n in (0, 1, 8, 9, 100):
        g = group(f, 'n%d' % n)
        for i in range(n):
            if i % 3 == 0:
                dset(g, 'd%03d' % i, data=np.int16(i))
            else:
                group(g, 'g%03d' % i)
    t = group(f, 'ordered', track_order=True)
    for name in ('zeta', 'alpha', 'mid'):
        group(t, name)
    t2 = group(f, 'ordered_dense', track_order=True)
    for i in range(20):
        group(t2, 'o%02d' % (19 - i))
    f['n1/soft'] = h5py.SoftLink('/n8')
    f['n9/soft_dangling'] = h5py.SoftLink('/nowhere')
    p = f
    for name in 'abcd':  # one at a time: intermediate groups would get timestamps
        p = group(p, name)


def attrs(f, latest):
    g = group(f, 'attrs')
    g.attrs['int'] = np.int32(7)
    g.attrs['floats'] = np.arange(5, dtype='<f8') / 4
    g.attrs['vlen'] = 'a variable-length string'
    g.attrs['vlens'] = np.array(['x', 'yy', ''], dtype=h5py.string_dtype())
    g.attrs['fixed'] = np.bytes_('fixed!')
    g.attrs.create('be', np.arange(3, dtype='>i4'))
    d = group(f, 'many_attrs')
    for i in range(12):
        d.attrs['a%02d' % (11 - i)] = np.int64(i) * 1000
    d.attrs['s'] = 'dense vlen'
    o = group(f, 'ordered_attrs', track_order=True)
    for name in ('z', 'a', 'm'):
        o.attrs[name] = np.uint8(ord(name))
    o2 = group(f, 'ordered_many_attrs', track_order=True)
    for i in range(15):
        o2.attrs['k%02d' % (14 - i)] = np.float32(i)
    # larger than a fractal heap's managed objects (64 KiB): a huge object
    # (version 1 headers cannot hold it: latest family only)
    if latest:
        group(f, 'big_attr').attrs['big'] = (np.arange(70000) % 251).astype('|u1')
    x = dset(f, 'with_attrs', data=np.arange(4, dtype='<u2'))
    for i in range(10):
        x.attrs['b%d' % i] = 'value %d' % i


def datasets(f):
    g = group(f, 'data')
    dset(g, 'contig', data=np.arange(24, dtype='<i4').reshape(4, 6))
    dset(g, 'contig_unwritten', shape=(5,), dtype='<f4', fillvalue=2.5)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    dcpl.set_obj_track_times(False)
    arr = np.arange(6, dtype='<i2')
    dsid = h5py.h5d.create(g.id, b'compact', h5py.h5t.py_create(arr.dtype), h5py.h5s.create_simple((6,)), dcpl=dcpl)
    dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, arr)
    dset(g, 'scalar', data=np.float64(3.25))
    dset(g, 'be', data=np.arange(5, dtype='>u4'))
    for filt, kw in (('plain', {}), ('gzip', dict(compression='gzip', compression_opts=4, shuffle=True)),
                     ('gzip_f32', dict(compression='gzip', shuffle=True, fletcher32=True))):
        # single chunk: the chunk is the whole dataset, fixed size
        dset(g, 'single_' + filt, data=np.arange(12, dtype='<i4').reshape(3, 4), chunks=(3, 4), **kw)
        # fixed array: several chunks, fixed maximum shape; one chunk never written
        d = dset(g, 'fixed_' + filt, shape=(10, 12), dtype='<i4', chunks=(3, 5), fillvalue=-1, **kw)
        d[0:9, :] = np.arange(108, dtype='<i4').reshape(9, 12)
        # fixed array with more chunks than a page holds (1024): paged
        d = dset(g, 'fixed_paged_' + filt, shape=(1100,), dtype='<i2', chunks=(1,), fillvalue=7, **kw)
        d[:1050] = np.arange(1050, dtype='<i2')
        # extensible array: one unlimited dimension, enough chunks for super blocks
        d = dset(g, 'ext_' + filt, shape=(300, 2), maxshape=(None, 2), dtype='<i2', chunks=(1, 2), fillvalue=-3, **kw)
        d[:290] = np.arange(580, dtype='<i2').reshape(290, 2)
        d.resize((330, 2))
        d[320:325] = 5
        # v2 B-tree: two unlimited dimensions
        d = dset(g, 'bt2_' + filt, shape=(20, 21), maxshape=(None, None), dtype='<f8', chunks=(2, 1), fillvalue=0.5, **kw)
        d[:, :20] = np.arange(400, dtype='<f8').reshape(20, 20)
    early_alloc(g, 'implicit', (7, 9), (2, 4), '<i4', 9)
    d = g['implicit']
    d[0:3, 0:5] = np.arange(15, dtype='<i4').reshape(3, 5)
    dset(g, 'fixed_track', shape=(6,), dtype='<u1', chunks=(2,), track_order=True)[...] = np.arange(6)


def small(f):
    """A few KB holding one of each new-format structure: fuzz seeds."""
    g = group(f, 'g', track_order=True)
    for i in range(9):
        group(g, 'm%d' % i)
    for i in range(10):
        g.attrs['a%d' % i] = np.int8(i)
    dset(f, 'single', data=np.arange(4, dtype='<i2'), chunks=(4,))
    dset(f, 'fixed', data=np.arange(6, dtype='<i2'), chunks=(2,))
    d = dset(f, 'ext', shape=(110,), maxshape=(None,), dtype='|i1', chunks=(1,))
    d[:] = np.arange(110, dtype='|i1')
    dset(f, 'bt2', data=np.arange(4, dtype='<i2').reshape(2, 2), maxshape=(None, None), chunks=(1, 1))
    dset(f, 'gz', data=np.arange(6, dtype='<i2'), chunks=(2,), compression='gzip', shuffle=True, fletcher32=True)
    early_alloc(f, 'implicit', (4,), (2,), '<i2', 1)


def describe(f):
    out = []

    def enc(v, dt):
        if h5py.check_string_dtype(dt) is not None and dt.kind == 'O':
            return {'strings': [x.decode() if isinstance(x, bytes) else x for x in np.asarray(v, dtype=object).ravel()]}
        a = np.asarray(v)
        return {'hex': a.astype(a.dtype.newbyteorder('<') if a.dtype.kind in 'iuf' else a.dtype).tobytes().hex()}

    def attrs(path, o):
        for name in o.attrs:
            v = o.attrs[name]
            dt = o.attrs.get_id(name).dtype
            shape = o.attrs.get_id(name).shape
            out.append(dict(kind='attr', path=path, name=name, dtype=dt.str, shape=list(shape), **enc(v, dt)))

    def visit(name, o):
        if isinstance(o, h5py.Dataset):
            out.append(dict(kind='dataset', path='/' + name, dtype=o.dtype.str, shape=list(o.shape),
                            chunks=list(o.chunks) if o.chunks else None, **enc(o[()], o.dtype)))
        else:
            out.append(dict(kind='group', path='/' + name, members=list(o.keys())))
        attrs('/' + name, o)

    out.append(dict(kind='group', path='/', members=list(f.keys())))
    attrs('/', f)
    f.visititems(visit)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for fam in ('earliest', 'latest'):
        path = os.path.join(OUT, fam + '.h5')
        with new_file(path, fam) as f:
            groups(f)
            attrs(f, fam == 'latest')
            datasets(f)
        # External links are kept apart (extlink/): they lead into the files above.
        os.makedirs(os.path.join(OUT, 'extlink'), exist_ok=True)
        if fam == 'latest':
            with new_file(os.path.join(OUT, 'small_latest.h5'), fam) as f:
                small(f)
        ext = os.path.join(OUT, 'extlink', fam + '_extlink.h5')
        with new_file(ext, fam) as f:
            f['target'] = np.arange(3, dtype='<i4')
            f['ext'] = h5py.ExternalLink('../' + fam + '.h5', '/data/contig')
        for p in (path, ext) + ((os.path.join(OUT, 'small_latest.h5'),) if fam == 'latest' else ()):
            with h5py.File(p, 'r') as f:
                desc = describe(f)
            with open(p[:-3] + '.json', 'w') as w:
                json.dump(desc, w, indent=0, sort_keys=True)
                w.write('\n')


if __name__ == '__main__':
    main()
