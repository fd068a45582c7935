// Package collectives implements MPI's collective operations (barrier,
// broadcast, gather, scatter, allgather, alltoall(v), reduce, allreduce, scan)
// over comm's point-to-point messages, choosing the algorithm by message
// size and rank count as MPICH and Open MPI do. Every message carries the
// call it belongs to, so ranks that call different collectives (or the same
// one with another root, type or count) get a *MismatchError instead of a
// hang or wrong data.
//
// # API
//
// Typed forms move slices of numbers with no encoding (T is comm.Number):
//
//	Barrier(ctx, c) error
//	Bcast[T](ctx, c, buf []T, root int) error
//	Gather[T](ctx, c, send, recv []T, root int) error
//	Gatherv[T](ctx, c, send, recv []T, counts []int, root int) error
//	Scatter[T](ctx, c, send, recv []T, root int) error
//	Scatterv[T](ctx, c, send, recv []T, counts []int, root int) error
//	Allgather[T](ctx, c, send, recv []T) error
//	Allgatherv[T](ctx, c, send, recv []T, counts []int) error
//	Alltoall[T](ctx, c, send, recv []T) error
//	Alltoallv[T](ctx, c, send []T, sendCounts []int, recv []T, recvCounts []int) error
//	Reduce[T](ctx, c, send, recv []T, op Op[T], root int) error
//	Allreduce[T](ctx, c, send, recv []T, op Op[T]) error
//	Scan[T](ctx, c, send, recv []T, op Op[T]) error
//	Exscan[T](ctx, c, send, recv []T, op Op[T]) error
//	ReduceScatter[T](ctx, c, send, recv []T, counts []int, op Op[T]) error
//	ReduceScatterBlock[T](ctx, c, send, recv []T, op Op[T]) error
//	Sum[T](), Prod[T](), Min[T](), Max[T](), NewOp[T](name, commutative, f)
//	MinLoc[T](), MaxLoc[T]() (value, index pairs), BAnd/BOr/BXor[T Integer](), LAnd/LOr/LXor[T]()
//
// Nonblocking forms return a *comm.Request at once and progress on their
// own (nonblocking.go says how they stay apart from blocking calls):
//
//	Ibarrier(ctx, c), Ibcast, Ireduce, Iallreduce, Igather, Iscatter, Iallgather, Ialltoall
//
// Cartesian grids (cart.go): DimsCreate, NewCart → *Cart (Coords, CoordsOf,
// RankOf, Shift, Sub), NeighborAlltoall[T], NeighborAllgather[T].
//
// Any-value forms encode with msgpack (mpi4py's lowercase methods):
//
//	BcastValue[V](ctx, c, v *V, root int) error
//	GatherValue[V](ctx, c, v V, root int) ([]V, error)
//	ScatterValue[V](ctx, c, vs []V, root int) (V, error)
//	AllgatherValue[V](ctx, c, v V) ([]V, error)
//	AlltoallValue[V](ctx, c, vs []V) ([]V, error)
//	AllreduceValue[V](ctx, c, v V, f func(a, b V) V) (V, error)
//
// Buffers: blocks are packed in rank order (the v-forms take counts but no
// displacements); receive buffers that matter only on the root may be nil
// elsewhere. There are no MPI_IN_PLACE flags: Allreduce and Reduce accept
// send and recv being the same slice; for the gathers, pass the own block
// as send and it is copied into place.
//
// # Errors
//
// All collective traffic goes over c.Collective(), so it never matches
// user point-to-point messages. Any failure inside a collective (mismatch,
// bad argument on one rank, cancelled context) revokes the communicator:
// the other members' pending and next operations on it fail with
// comm.ErrRevoked instead of waiting forever. A mismatch is reported by the
// ranks that see it (errors.Is(err, ErrMismatch)); a rank that only sends in
// its call (the root of a Bcast) can return before anyone notices and then
// fails in its next operation on c. When every involved rank waits to
// receive (Gather with two different roots), a watchdog exchanges probes
// after probeAfter so the mismatch is still reported.
package collectives
