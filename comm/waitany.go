package comm

import "context"

// WaitAny waits until one of reqs completes and returns its index, Status
// and error, setting reqs[index] to nil (MPI's MPI_REQUEST_NULL), so a loop
// of WaitAny calls over the same slice visits every request once. Nil
// entries are skipped; when all are nil, WaitAny returns Undefined at once.
// Among requests that have already completed it returns the lowest index.
func WaitAny(ctx context.Context, reqs []*Request) (int, Status, error) {
	if i, st, ok, err := TestAny(reqs); ok {
		return i, st, err
	}
	wake := make(chan struct{}, 1)
	for _, r := range reqs {
		if r != nil {
			r.watch(wake)
		}
	}
	defer func() {
		for _, r := range reqs {
			if r != nil {
				r.unwatch(wake)
			}
		}
	}()
	for {
		select {
		case <-wake:
		case <-ctx.Done():
			return Undefined, Status{}, ctx.Err()
		}
		if i, st, ok, err := TestAny(reqs); ok {
			return i, st, err
		}
	}
}

// TestAny is WaitAny without waiting: ok is false when no request has
// completed. With every entry nil it returns Undefined and ok true, as
// MPI_Testany does.
func TestAny(reqs []*Request) (index int, st Status, ok bool, err error) {
	active := false
	for i, r := range reqs {
		if r == nil {
			continue
		}
		active = true
		if st, done, err := r.Test(); done {
			reqs[i] = nil
			return i, st, true, err
		}
	}
	if !active {
		return Undefined, Status{}, true, nil
	}
	return Undefined, Status{}, false, nil
}

// WaitSome waits until at least one of reqs completes, then returns the
// indices and Statuses of all that have, setting those entries to nil,
// and the first of their errors. With every entry nil it returns nothing.
func WaitSome(ctx context.Context, reqs []*Request) ([]int, []Status, error) {
	i, st, err := WaitAny(ctx, reqs)
	if i == Undefined {
		return nil, nil, err
	}
	idx, sts, first := []int{i}, []Status{st}, err
	for {
		j, st, ok, err := TestAny(reqs)
		if !ok || j == Undefined {
			return idx, sts, first
		}
		idx, sts = append(idx, j), append(sts, st)
		if first == nil {
			first = err
		}
	}
}

// TestAll reports whether every request has completed, without waiting;
// when they have, it returns their Statuses and the first error, as
// WaitAll would. Nil entries count as complete.
func TestAll(reqs ...*Request) ([]Status, bool, error) {
	for _, r := range reqs {
		if r == nil {
			continue
		}
		if _, done, _ := r.Test(); !done {
			return nil, false, nil
		}
	}
	sts, err := WaitAll(context.Background(), reqs...)
	return sts, true, err
}
