"""Writes one small file per read feature with libhdf5 (through h5py) into
testdata/libhdf5/features/, each beside NAME.json (what h5py reads, in the
format libhdf5.py's describe writes, plus "empty" for h5py.Empty values):

  unwritten_latest.h5  libver='latest', a chunked dataset never written for
                       every layout-4 chunk index (single, implicit, fixed
                       array, extensible array, v2 B-tree), filtered and not
  userblock_512.h5     a 512-byte user block (libver='earliest')
  userblock_4096.h5    a 4096-byte user block (libver='latest')
  external.h5          raw data in other files (H5Pset_external, h5py's
                       external=): external_a.bin, external_b.bin
  virtual.h5           virtual datasets (h5py's VirtualLayout) with sources
                       in the same file and in virtual_src.h5
  types.h5             float16, complex64/128, opaque with a tag, bitfields
  empty.h5             null dataspaces (h5py.Empty): a dataset and attributes
  vlen_attr.h5         scalar and 1-D variable-length sequence attributes
  mixed.h5             one dataset of each type h5ls -d renders (strings,
                       compounds, arrays, enums, sequences, extremes of
                       numbers); no .json: cmd/h5ls's golden files cover it

Run from anywhere: /usr/bin/python3 testdata/gen/features.py (h5py 3.7,
libhdf5 1.10). External file names are relative: libhdf5 looks for them in
the current directory, so the script works in the output directory.
Deterministic: no timestamps, fixed data; except the virtual datasets of
virtual.h5, whose headers carry the time (h5py's create_virtual_dataset
has no track_times).
"""
import json
import os

import h5py
import numpy as np

from libhdf5 import dset, group, new_file, early_alloc

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'libhdf5', 'features')


def unwritten(f):
    g = group(f, 'plain')
    for kw, prefix in (({}, ''), (dict(compression='gzip', shuffle=True), 'gz_')):
        dset(g, prefix + 'single', shape=(3, 4), dtype='<i4', chunks=(3, 4), fillvalue=-7, **kw)
        dset(g, prefix + 'fixed', shape=(10, 12), dtype='<i4', chunks=(3, 5), fillvalue=-1, **kw)
        dset(g, prefix + 'ext', shape=(30, 2), maxshape=(None, 2), dtype='<i2', chunks=(1, 2), fillvalue=-3, **kw)
        dset(g, prefix + 'bt2', shape=(20, 21), maxshape=(None, None), dtype='<f8', chunks=(2, 1), fillvalue=0.5, **kw)
        dset(g, prefix + 'nofill', shape=(4, 5), dtype='<u2', chunks=(2, 2), **kw)
    # Implicit index (allocation time early): libhdf5 allocates every
    # chunk at creation, except for an empty extent.
    early_alloc(g, 'implicit', (7, 9), (2, 4), '<i4', 9)
    early_alloc(g, 'implicit_empty', (0, 9), (2, 4), '<i4', 9)


def userblock(path, size, libver):
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    lo = h5py.h5f.LIBVER_EARLIEST if libver == 'earliest' else h5py.h5f.LIBVER_LATEST
    fapl.set_libver_bounds(lo, h5py.h5f.LIBVER_LATEST)
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    fcpl.set_userblock(size)
    with h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fapl=fapl, fcpl=fcpl)) as f:
        dset(f, 'contig', data=np.arange(12, dtype='<i4').reshape(3, 4))
        dset(f, 'chunked', data=np.arange(20, dtype='<f8'), chunks=(6,), compression='gzip')
        dset(f, 'grow', data=np.arange(9, dtype='<i2'), maxshape=(None,), chunks=(2,))
        g = group(f, 'g')
        g.attrs['s'] = 'user block'
        dset(g, 'strings', data=np.array(['a', 'bb'], dtype=h5py.string_dtype()))
    # What a user puts in a user block: text libhdf5 never reads.
    with open(path, 'r+b') as w:
        w.write(b'user block of %d bytes\n' % size)


def external(f):
    a = np.arange(10, dtype='<i4')
    b = np.arange(100, 114, dtype='<i4')
    with open('external_a.bin', 'wb') as w:
        w.write(b'HEADER--')  # 8 bytes the dataset skips (file offset 8)
        w.write(a.tobytes())
    with open('external_b.bin', 'wb') as w:
        w.write(b.tobytes())
    d = dset(f, 'ext', shape=(24,), dtype='<i4', external=[('external_a.bin', 8, 40), ('external_b.bin', 0, 56)])
    d[...] = np.concatenate([a, b])
    # Two segments in one file, and a 2-D shape; the last segment unlimited.
    with open('external_c.bin', 'wb') as w:
        w.write(np.arange(6, dtype='<f8').tobytes())
    dset(f, 'ext2d', shape=(2, 3), dtype='<f8', external=[('external_c.bin', 0, 16), ('external_c.bin', 16, h5py.h5f.UNLIMITED)])


def virtual(f):
    with h5py.File('virtual_src.h5', 'w', libver='earliest') as s:
        for i in range(3):
            dset(s, 'src%d' % i, data=np.arange(5, dtype='<i4') + 10 * i)
        dset(s, 'grid', data=np.arange(24, dtype='<f4').reshape(4, 6))
    dset(f, 'local', data=np.arange(8, dtype='<i4') * 3)
    # Rows from sources in another file; row 3 unmapped: the fill value.
    lay = h5py.VirtualLayout(shape=(4, 5), dtype='<i4')
    for i in range(3):
        lay[i] = h5py.VirtualSource('virtual_src.h5', 'src%d' % i, shape=(5,))
    f.create_virtual_dataset('stacked', lay, fillvalue=-1)
    # Strided selections on both sides, from this file ('.').
    lay = h5py.VirtualLayout(shape=(8,), dtype='<i4')
    src = h5py.VirtualSource('.', 'local', shape=(8,))
    lay[0:8:2] = src[1:8:2]
    lay[1:8:2] = src[0:8:2]
    f.create_virtual_dataset('interleaved', lay, fillvalue=0)
    # A 2-D block of a 2-D source, placed in a larger 2-D dataset.
    lay = h5py.VirtualLayout(shape=(5, 7), dtype='<f4')
    src = h5py.VirtualSource('virtual_src.h5', 'grid', shape=(4, 6))
    lay[1:3, 2:6] = src[0:2, 1:5]
    lay[4, 0:3] = src[3, 3:6]
    f.create_virtual_dataset('block', lay, fillvalue=9.5)
    # A missing source reads as the fill value (libhdf5's default view).
    lay = h5py.VirtualLayout(shape=(3,), dtype='<i4')
    lay[0:3] = h5py.VirtualSource('virtual_missing.h5', 'x', shape=(3,))
    f.create_virtual_dataset('missing', lay, fillvalue=4)


def types(f):
    dset(f, 'f16', data=np.array([0, 1, -2.5, 65504, 6.1e-5, 5.96e-8, np.inf, -np.inf], dtype='<f2'))
    dset(f, 'f16_be', data=np.array([1.5, -0.25], dtype='>f2'))
    dset(f, 'c64', data=np.array([1 + 2j, -3.5 + 0.25j, 0], dtype='<c8'))
    dset(f, 'c128', data=np.array([[1 + 1j, 2 - 2j], [0.5j, -1]], dtype='<c16'))
    dset(f, 'c128_scalar', data=np.complex128(3 - 4j))
    f.attrs['c64_attr'] = np.complex64(1.5 + 2.5j)
    f.attrs['f16_attr'] = np.array([0.5, 2], dtype='<f2')
    # Opaque with a tag: low-level API (h5py maps numpy void to opaque, tag "").
    tid = h5py.h5t.create(h5py.h5t.OPAQUE, 4)
    tid.set_tag(b'gorun:4 bytes')
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_obj_track_times(False)
    ds = h5py.h5d.create(f.id, b'opaque', tid, h5py.h5s.create_simple((3,)), dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.frombuffer(b'abcdWXYZ\x00\x01\x02\xff', dtype='V4'), mtype=tid)
    dset(f, 'void', data=np.frombuffer(b'0123456789', dtype='V5'))
    for name, t, data in (('b8', h5py.h5t.STD_B8LE, np.array([1, 0x80, 0xff], '<u1')),
                          ('b16', h5py.h5t.STD_B16LE, np.array([1, 0x8000, 0x1234], '<u2')),
                          ('b32be', h5py.h5t.STD_B32BE, np.array([1, 0xdeadbeef], '>u4')),
                          ('b64', h5py.h5t.STD_B64LE, np.array([2**63 + 5], '<u8'))):
        ds = h5py.h5d.create(f.id, name.encode(), t, h5py.h5s.create_simple(data.shape), dcpl=dcpl)
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, data, mtype=t)


def empty(f):
    dset(f, 'empty_f4', data=h5py.Empty('<f4'))
    dset(f, 'empty_i8', data=h5py.Empty('<i8'))
    f.attrs['empty_attr'] = h5py.Empty('<f8')
    f.attrs['empty_str'] = h5py.Empty('S4')
    dset(f, 'not_empty', data=np.arange(2, dtype='<i4'))


def vlen_attr(f):
    g = group(f, 'g')
    vi = h5py.vlen_dtype(np.dtype('<i4'))
    a = np.empty((), dtype=object)
    a[()] = np.array([1, 2, 3], dtype='<i4')
    g.attrs.create('scalar_i4', a, dtype=vi)
    a = np.empty((), dtype=object)
    a[()] = np.array([0.5, -1], dtype='<f8')
    g.attrs.create('scalar_f8', a, dtype=h5py.vlen_dtype(np.dtype('<f8')))
    a = np.empty((), dtype=object)
    a[()] = np.array([], dtype='<i4')
    g.attrs.create('scalar_empty', a, dtype=vi)
    a = np.empty((3,), dtype=object)
    for i in range(3):
        a[i] = np.arange(i, dtype='<i4')
    g.attrs.create('list_i4', a, dtype=vi)
    d = dset(f, 'd', data=np.arange(2, dtype='<i2'))
    a = np.empty((), dtype=object)
    a[()] = np.array([7, 8], dtype='<i2')
    d.attrs.create('scalar_i2', a, dtype=h5py.vlen_dtype(np.dtype('<i2')))


def mixed(f):
    dset(f, 's', data=np.array([b'ab', b'c'], dtype='S3'))
    dset(f, 'vs', data=np.array(['x', 'yy"z\\', '', 'tab\tnl\n'], dtype=h5py.string_dtype()))
    dset(f, 'cmp', data=np.array([(1, 2.5, b'q'), (3, -1, b'')], dtype=[('a', '<i4'), ('b', '<f8'), ('c', 'S2')]))
    dset(f, 'arr', shape=(2,), dtype=np.dtype(('<i2', (2,))))[...] = [[1, 2], [3, 4]]
    dset(f, 'arr2d', shape=(1,), dtype=np.dtype(('<f4', (2, 2))))[...] = [[[1, 2], [3, 4.5]]]
    dset(f, 'bool', data=np.array([True, False]))
    dset(f, 'enum', data=np.array([0, 1, 1], '<u1'), dtype=h5py.enum_dtype({'RED': 0, 'GREEN': 1}, basetype='<u1'))
    dset(f, 'enum_neg', data=np.array([-1, 2], '<i2'), dtype=h5py.enum_dtype({'NEG': -1, 'TWO': 2}, basetype='<i2'))
    d = dset(f, 'vl', shape=(2,), dtype=h5py.vlen_dtype(np.dtype('<i4')))
    d[0] = [1, 2, 3]
    d[1] = []
    dset(f, 'u1', data=np.array([255, 0], '<u1'))
    dset(f, 'i1', data=np.array([-1, 5], '<i1'))
    dset(f, 'f8', data=np.array([1e300, 0.1, 1 / 3, np.nan, 123456789.0, 1e-5, 2 ** 0.5, -np.inf, -0.0]))
    dset(f, 'f4', data=np.array([0.1, 1 / 3, 1e10, 3e-39], '<f4'))
    dset(f, 'big', data=np.arange(70000, dtype='<i8').reshape(700, 100))
    dset(f, 'scalar_s', data='hello')
    dset(f, 'i8', data=np.array([2 ** 63 - 1, -2 ** 63], '<i8'))
    dset(f, 'u8', data=np.array([2 ** 64 - 1], '<u8'))
    dset(f, 'be', data=np.array([1.5, -2], '>f8'))


def describe(f):
    out = []

    def enc(v, dt, scalar):
        if isinstance(v, h5py.Empty):
            return {'empty': True}
        if h5py.check_string_dtype(dt) is not None and dt.kind == 'O':
            return {'strings': [x.decode() if isinstance(x, bytes) else x for x in np.asarray(v, dtype=object).ravel()]}
        vl = h5py.check_vlen_dtype(dt)
        if vl is not None:
            # A scalar's value is the one sequence itself.
            items = [v] if scalar else np.asarray(v, dtype=object).ravel()
            return {'vlen': [np.asarray(x, dtype=vl).astype(vl.newbyteorder('<')).tobytes().hex() for x in items]}
        a = np.asarray(v)
        if a.dtype.kind in 'iufc':
            a = a.astype(a.dtype.newbyteorder('<'))
        return {'hex': a.tobytes().hex()}

    def attrs(path, o):
        for name in o.attrs:
            aid = o.attrs.get_id(name)
            v = o.attrs[name]
            out.append(dict(kind='attr', path=path, name=name, dtype=aid.dtype.str, shape=list(aid.shape or ()),
                            **enc(v, aid.dtype, aid.shape == ())))

    def read(o):
        try:
            return o[()]
        except OSError:
            # A tagged opaque type: h5py has no numpy conversion for it,
            # the file's own type reads the bytes as they are.
            arr = np.empty(o.shape, dtype=o.dtype)
            o.id.read(h5py.h5s.ALL, h5py.h5s.ALL, arr, mtype=o.id.get_type())
            return arr

    def visit(name, o):
        if isinstance(o, h5py.Dataset):
            out.append(dict(kind='dataset', path='/' + name, dtype=o.dtype.str,
                            shape=list(o.shape) if o.shape is not None else None,
                            chunks=list(o.chunks) if o.chunks else None, **enc(read(o), o.dtype, o.shape == ())))
        else:
            out.append(dict(kind='group', path='/' + name, members=list(o.keys())))
        attrs('/' + name, o)

    out.append(dict(kind='group', path='/', members=list(f.keys())))
    attrs('/', f)
    f.visititems(visit)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    os.chdir(OUT)
    made = []
    for name, fill, libver in (('unwritten_latest', unwritten, 'latest'), ('external', external, 'earliest'),
                               ('virtual', virtual, 'earliest'), ('types', types, 'earliest'),
                               ('empty', empty, 'earliest'), ('vlen_attr', vlen_attr, 'earliest')):
        with new_file(name + '.h5', libver) as f:
            fill(f)
        made.append(name + '.h5')
    with new_file('mixed.h5', 'earliest') as f:
        mixed(f)
    userblock('userblock_512.h5', 512, 'earliest')
    userblock('userblock_4096.h5', 4096, 'latest')
    made += ['userblock_512.h5', 'userblock_4096.h5']
    for p in made:
        with h5py.File(p, 'r') as f:
            desc = describe(f)
        with open(p[:-3] + '.json', 'w') as w:
            json.dump(desc, w, indent=0, sort_keys=True)
            w.write('\n')


if __name__ == '__main__':
    main()
