package h5file

// Empty makes the dataset CreateDataset creates empty: a null dataspace,
// with a type and no elements and no shape (h5py's
// create_dataset(name, data=h5py.Empty(dtype))). Pass a nil shape.
func Empty() DatasetOption { return func(o *dsetOptions) { o.empty = true } }

// IsEmpty reports a dataset with a null dataspace (h5py.Empty; h5py's
// shape is None): Shape is empty, Len and Size are 0, and reads fail with
// ErrShape.
func (d *Dataset) IsEmpty() bool { return d.d.IsNull() }
