package h5file

import (
	"fmt"
	"reflect"
)

// Nested Go slices as N-D data, the way h5py treats nested lists:
// create_dataset(data=[[1, 2], [3, 4]]) makes a 2x2 dataset, not a list of
// sequences. CreateDatasetFrom flattens a rectangular [][]T ([][][]T, ...)
// into row-major order when no WithDtype or WithShape is given; a
// variable-length dataset is still made by spelling out
// WithDtype(VlenOf(...)). ReadND returns the data with its shape.

// maxNestDepth bounds the nesting CreateDatasetFrom unrolls (HDF5 allows
// 32 dimensions).
const maxNestDepth = 32

// nestedShape reports whether v is a slice of slices and, if so, its
// shape. Every slice at one level must have the same length: a ragged one
// is an ErrShape error naming the first index that differs.
func nestedShape(v reflect.Value) (shape []uint64, ok bool, err error) {
	t := v.Type()
	if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Slice {
		return nil, false, nil
	}
	depth := 0
	for e := t; e.Kind() == reflect.Slice; e = e.Elem() {
		depth++
		if depth > maxNestDepth {
			return nil, true, fmt.Errorf("%s nests more than %d slices: %w", t, maxNestDepth, ErrShape)
		}
	}
	shape = make([]uint64, depth)
	// The first element of each level gives that level's length.
	for i, x := 0, v; i < depth; i++ {
		shape[i] = uint64(x.Len())
		if x.Len() == 0 {
			break
		}
		x = x.Index(0)
	}
	if err := checkRect(v, shape, nil); err != nil {
		return nil, true, err
	}
	return shape, true, nil
}

// checkRect checks that every slice under v has the length shape says.
func checkRect(v reflect.Value, shape []uint64, at []int) error {
	if uint64(v.Len()) != shape[0] {
		return fmt.Errorf("ragged nested slice: element %v has length %d, not %d as the first one at its level (h5py needs a rectangular nesting too; use WithDtype(VlenOf(...)) for variable-length rows): %w", at, v.Len(), shape[0], ErrShape)
	}
	if len(shape) == 1 {
		return nil
	}
	for i := 0; i < v.Len(); i++ {
		if err := checkRect(v.Index(i), shape[1:], append(at, i)); err != nil {
			return err
		}
	}
	return nil
}

// flattenNested copies a rectangular nested slice into one []T in
// row-major order.
func flattenNested(v reflect.Value, shape []uint64) reflect.Value {
	e := v.Type()
	for e.Kind() == reflect.Slice {
		e = e.Elem()
	}
	n := uint64(1)
	for _, s := range shape {
		n *= s
	}
	out := reflect.MakeSlice(reflect.SliceOf(e), 0, int(n))
	var walk func(x reflect.Value, depth int)
	walk = func(x reflect.Value, depth int) {
		if depth == len(shape)-1 {
			out = reflect.AppendSlice(out, x)
			return
		}
		for i := 0; i < x.Len(); i++ {
			walk(x.Index(i), depth+1)
		}
	}
	walk(v, 0)
	return out
}

// ReadND returns all of d's elements as a []T in row-major order together
// with d's shape (h5py's d[()] as an N-D array): element (i, j) of a 2-D
// dataset is data[i*shape[1]+j].
func ReadND[T any](d *Dataset) (data []T, shape []uint64, err error) {
	data, err = ReadAll[T](d)
	if err != nil {
		return nil, nil, err
	}
	return data, d.Shape(), nil
}
