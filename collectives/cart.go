package collectives

import (
	"context"
	"fmt"
	"slices"

	"github.com/gorun-hpc/gorun/comm"
)

// Cart is a communicator whose ranks form a Cartesian grid (MPI's
// Cartesian topology): rank r sits at coordinates CoordsOf(r), row-major
// (the last dimension varies fastest), and each dimension is periodic (a
// torus) or not. Stencil codes find their neighbours with Shift and swap
// halos with NeighborAlltoall. Cart embeds the *comm.Comm, so every
// point-to-point call and collective works on it.
type Cart struct {
	*comm.Comm
	dims    []int
	periods []bool
	coords  []int // this rank's
}

// DimsCreate chooses a grid of nnodes ranks in len(dims) dimensions
// (MPI_Dims_create): entries of dims above zero are kept, zeros are
// filled so that the filled sizes are as close to each other as possible
// (the largest as small as it can be, then the next, ...) and
// non-increasing. DimsCreate(12, []int{0, 0}) is [4 3];
// DimsCreate(12, []int{0, 3, 0}) is [2 3 2]. It returns a new slice.
func DimsCreate(nnodes int, dims []int) ([]int, error) {
	if nnodes < 1 {
		return nil, fmt.Errorf("collectives: DimsCreate(%d, %v): need at least one rank: %w", nnodes, dims, ErrArgument)
	}
	out := slices.Clone(dims)
	rest, free := nnodes, 0
	for i, d := range dims {
		switch {
		case d < 0:
			return nil, fmt.Errorf("collectives: DimsCreate(%d, %v): dims[%d] is negative: %w", nnodes, dims, i, ErrArgument)
		case d == 0:
			free++
		case rest%d != 0:
			return nil, fmt.Errorf("collectives: DimsCreate(%d, %v): the fixed sizes do not divide %d: %w", nnodes, dims, nnodes, ErrArgument)
		default:
			rest /= d
		}
	}
	if free == 0 {
		if rest != 1 {
			return nil, fmt.Errorf("collectives: DimsCreate(%d, %v): the sizes multiply to %d, not %d: %w", nnodes, dims, nnodes/rest, nnodes, ErrArgument)
		}
		return out, nil
	}
	fill := balanced(rest, free, rest)
	for i := range out {
		if out[i] == 0 {
			out[i], fill = fill[0], fill[1:]
		}
	}
	return out, nil
}

// balanced returns the non-increasing factorisation of m into d factors,
// each at most limit, whose largest factor is smallest, then its second,
// and so on; nil if there is none. The first factor f must satisfy
// f^d >= m, so the search starts at the smallest such divisor.
func balanced(m, d, limit int) []int {
	if d == 1 {
		if m <= limit {
			return []int{m}
		}
		return nil
	}
	for f := 1; f <= min(m, limit); f++ {
		if m%f != 0 || !powAtLeast(f, d, m) {
			continue
		}
		if rest := balanced(m/f, d-1, f); rest != nil {
			return append([]int{f}, rest...)
		}
	}
	return nil
}

// powAtLeast reports f^d >= m without overflow.
func powAtLeast(f, d, m int) bool {
	p := 1
	for range d {
		p *= f
		if p >= m {
			return true
		}
	}
	return p >= m
}

// NewCart makes a Cartesian communicator of c's first product(dims) ranks
// (MPI_Cart_create without reordering: rank r keeps rank r). It is
// collective: every member passes the same dims and periods (a difference
// is a *MismatchError). Ranks beyond the grid get a nil *Cart and no
// error. Use DimsCreate to choose dims.
func NewCart(ctx context.Context, c *comm.Comm, dims []int, periods []bool) (*Cart, error) {
	check := hashString(fmt.Sprint(dims, periods))
	cl, err := begin(ctx, c, desc{op: opCartCreate, root: -1, count: int64(len(dims)), check: check}, 0)
	if err != nil {
		return nil, err
	}
	n := 1
	for i, d := range dims {
		if d < 1 {
			return nil, cl.finish(cl.argError("dims[%d] = %d; every dimension needs at least one rank", i, d))
		}
		n *= d
		if n > cl.size {
			break
		}
	}
	if len(dims) == 0 || len(periods) != len(dims) || n > cl.size {
		return nil, cl.finish(cl.argError("dims %v with periods %v do not fit %d ranks (need len(periods) == len(dims) >= 1 and a product at most Size())", dims, periods, cl.size))
	}
	// The agreement: a barrier whose headers carry dims and periods.
	if err := cl.finish(cl.barrier()); err != nil {
		return nil, err
	}
	var gc *comm.Comm
	if n == c.Size() {
		gc, err = c.Dup(ctx)
	} else {
		color := 0
		if c.Rank() >= n {
			color = comm.Undefined
		}
		gc, err = c.Split(ctx, color, c.Rank())
	}
	if err != nil || gc == nil {
		return nil, err
	}
	g := &Cart{Comm: gc, dims: slices.Clone(dims), periods: slices.Clone(periods)}
	g.coords = g.CoordsOf(gc.Rank())
	return g, nil
}

// Dims returns the size of each dimension.
func (g *Cart) Dims() []int { return slices.Clone(g.dims) }

// Periods returns which dimensions wrap around.
func (g *Cart) Periods() []bool { return slices.Clone(g.periods) }

// Coords returns this rank's coordinates.
func (g *Cart) Coords() []int { return slices.Clone(g.coords) }

// CoordsOf returns rank r's coordinates (MPI_Cart_coords); nil for a rank
// outside the grid.
func (g *Cart) CoordsOf(r int) []int { return cartCoords(g.dims, r) }

func cartCoords(dims []int, r int) []int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	if r < 0 || r >= n {
		return nil
	}
	out := make([]int, len(dims))
	for i := len(dims) - 1; i >= 0; i-- {
		out[i] = r % dims[i]
		r /= dims[i]
	}
	return out
}

// RankOf returns the rank at coords (MPI_Cart_rank). A coordinate outside
// a periodic dimension wraps around; outside a non-periodic one the rank
// is comm.ProcNull (no neighbour there), so RankOf also finds diagonal
// neighbours at the edges. Only a wrong number of coordinates is an error.
func (g *Cart) RankOf(coords []int) (int, error) {
	if len(coords) != len(g.dims) {
		return comm.ProcNull, fmt.Errorf("collectives: Cart.RankOf(%v): %d coordinates for a %d-dimensional grid: %w", coords, len(coords), len(g.dims), ErrArgument)
	}
	return cartRank(g.dims, g.periods, coords), nil
}

func cartRank(dims []int, periods []bool, coords []int) int {
	r := 0
	for i, x := range coords {
		if x < 0 || x >= dims[i] {
			if !periods[i] {
				return comm.ProcNull
			}
			x = ((x % dims[i]) + dims[i]) % dims[i]
		}
		r = r*dims[i] + x
	}
	return r
}

// Shift returns the ranks disp steps away along dimension dim
// (MPI_Cart_shift): src is at -disp (where data shifted by +disp comes
// from), dst at +disp (where this rank's goes). Past the edge of a
// non-periodic dimension the rank is comm.ProcNull, which Sendrecv and
// the neighbour exchanges skip, so
//
//	src, dst, _ := g.Shift(0, 1)
//	c.Sendrecv(ctx, dst, tag, mine, src, tag, halo)
//
// shifts data one step along dimension 0 on every rank, edges included.
func (g *Cart) Shift(dim, disp int) (src, dst int, err error) {
	if dim < 0 || dim >= len(g.dims) {
		return comm.ProcNull, comm.ProcNull, fmt.Errorf("collectives: Cart.Shift(%d, %d): dimension out of range [0,%d): %w", dim, disp, len(g.dims), ErrArgument)
	}
	src, dst = cartShift(g.dims, g.periods, g.coords, dim, disp)
	return src, dst, nil
}

func cartShift(dims []int, periods []bool, coords []int, dim, disp int) (src, dst int) {
	at := slices.Clone(coords)
	at[dim] = coords[dim] - disp
	src = cartRank(dims, periods, at)
	at[dim] = coords[dim] + disp
	dst = cartRank(dims, periods, at)
	return src, dst
}

// Sub partitions the grid into lower-dimensional grids (MPI_Cart_sub):
// dimensions with remain[i] true are kept, and the ranks that share their
// coordinates in the others form one sub-grid. Sub([]bool{false, true})
// of a rows x columns grid gives each rank its row. Collective: every
// rank passes the same remain (a difference is a *MismatchError).
func (g *Cart) Sub(ctx context.Context, remain []bool) (*Cart, error) {
	cl, err := begin(ctx, g.Comm, desc{op: opCartSub, root: -1, count: int64(len(remain)), check: hashString(fmt.Sprint(remain))}, 0)
	if err != nil {
		return nil, err
	}
	if len(remain) != len(g.dims) {
		return nil, cl.finish(cl.argError("remain has %d entries for a %d-dimensional grid", len(remain), len(g.dims)))
	}
	if err := cl.finish(cl.barrier()); err != nil {
		return nil, err
	}
	color := 0
	var dims []int
	var periods []bool
	for i, keep := range remain {
		if keep {
			dims = append(dims, g.dims[i])
			periods = append(periods, g.periods[i])
		} else {
			color = color*g.dims[i] + g.coords[i]
		}
	}
	if len(dims) == 0 { // MPI: a grid of one rank, with zero dimensions
		dims, periods = []int{1}, []bool{false}
	}
	sc, err := g.Split(ctx, color, g.Rank())
	if err != nil {
		return nil, err
	}
	s := &Cart{Comm: sc, dims: dims, periods: periods}
	s.coords = s.CoordsOf(sc.Rank())
	return s, nil
}

// NeighborAlltoall exchanges one block with each neighbour of the grid
// (MPI_Neighbor_alltoall), the halo swap of a stencil code: with nd
// dimensions, send and recv hold 2*nd blocks of len(send)/(2*nd)
// elements. Block 2i of send goes to the neighbour at -1 along dimension
// i, block 2i+1 to the one at +1; block 2i of recv comes from the
// neighbour at -1 (what it sent towards +1), block 2i+1 from the one at
// +1. Blocks towards comm.ProcNull are not sent, and recv blocks from it
// keep their contents. Collective over the grid, and checked: a neighbour
// in another call or with another block size is a *MismatchError.
func NeighborAlltoall[T comm.Number](ctx context.Context, g *Cart, send, recv []T) error {
	return neighbor(ctx, g, opNeighborAlltoall, send, recv, false)
}

// NeighborAllgather sends the same block, send, to every neighbour and
// gathers theirs (MPI_Neighbor_allgather): recv holds 2*nd blocks of
// len(send), block 2i from the neighbour at -1 along dimension i, block
// 2i+1 from the one at +1.
func NeighborAllgather[T comm.Number](ctx context.Context, g *Cart, send, recv []T) error {
	return neighbor(ctx, g, opNeighborAllgather, send, recv, true)
}

func neighbor[T comm.Number](ctx context.Context, g *Cart, op opCode, send, recv []T, gather bool) error {
	if g == nil {
		return fmt.Errorf("collectives: %s on a nil *Cart (this rank is outside the grid): %w", op, ErrArgument)
	}
	nd := len(g.dims)
	b := len(recv) / (2 * nd)
	cl, err := begin(ctx, g.Comm, desc{op: op, kind: kindOf[T](), root: -1, count: int64(b)}, sizeOf[T]())
	if err != nil {
		return err
	}
	if len(recv) != 2*nd*b || (gather && len(send) != b) || (!gather && len(send) != len(recv)) {
		what := "len(send) == len(recv)"
		if gather {
			what = "len(recv) == 2*len(dims)*len(send)"
		}
		return cl.finish(cl.argError("len(send) = %d, len(recv) = %d: want %s, a multiple of 2*len(dims) = %d", len(send), len(recv), what, 2*nd))
	}
	sb, rb := asBytes(send), asBytes(recv)
	es := sizeOf[T]()
	recvBlk := func(i int) []byte { return rb[i*b*es : (i+1)*b*es] }
	var sendBlk func(i int) []byte
	if gather {
		sendBlk = func(int) []byte { return sb } // the same block to everyone
	} else {
		sendBlk = func(i int) []byte { return sb[i*b*es : (i+1)*b*es] }
	}
	for d := range nd {
		lo, hi := cartShift(g.dims, g.periods, g.coords, d, 1)
		// Send down, receive from up; then send up, receive from down.
		// When both neighbours are one rank (a periodic dimension of 2,
		// or of 1: this rank), its two messages arrive in the order sent
		// and these receives take them in that order.
		if err := cl.exchange(lo, sendBlk(2*d), hi, recvBlk(2*d+1)); err != nil {
			return cl.finish(err)
		}
		if err := cl.exchange(hi, sendBlk(2*d+1), lo, recvBlk(2*d)); err != nil {
			return cl.finish(err)
		}
	}
	return cl.finish(nil)
}

// exchange is sendrecv where either side may be comm.ProcNull.
func (cl *call) exchange(dest int, sbuf []byte, src int, rbuf []byte) error {
	switch {
	case dest == comm.ProcNull && src == comm.ProcNull:
		return nil
	case dest == comm.ProcNull:
		return cl.recv(src, rbuf)
	case src == comm.ProcNull:
		return cl.send(dest, sbuf)
	}
	return cl.sendrecv(dest, sbuf, src, rbuf)
}
