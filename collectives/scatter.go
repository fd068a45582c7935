package collectives

import (
	"context"

	"github.com/gorun-hpc/gorun/comm"
)

// Scatter hands block i of root's send (send[i*len(recv):][:len(recv)]) to
// rank i's recv. All ranks pass recv of the same length; send must hold
// Size()*len(recv) elements on root and is ignored elsewhere.
func Scatter[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, root int) error {
	cl, err := begin(ctx, c, desc{op: opScatter, kind: kindOf[T](), root: int32(root), count: int64(len(recv))}, sizeOf[T]())
	if err != nil {
		return err
	}
	if err := cl.checkRoot(root); err != nil {
		return cl.finish(err)
	}
	if cl.rank == root && len(send) != cl.size*len(recv) {
		return cl.finish(cl.argError("send holds %d elements, want Size()*len(recv) = %d", len(send), cl.size*len(recv)))
	}
	return cl.finish(cl.scatter(asBytes(send), asBytes(recv), root))
}

func (cl *call) scatter(send, recv []byte, root int) error {
	n := len(recv)
	if cl.size == 1 {
		copy(recv, send)
		return nil
	}
	if n >= gatherLinearMinBytes {
		if cl.rank != root {
			return cl.recv(root, recv)
		}
		for i := range cl.size {
			if i != root {
				if err := cl.send(i, send[i*n:(i+1)*n]); err != nil {
					return err
				}
			}
		}
		copy(recv, send[root*n:(root+1)*n])
		return nil
	}
	return cl.scatterBinomial(send, recv, root)
}

// scatterBinomial mirrors gatherBinomial: relative rank v receives the
// blocks of its subtree [v, v+lowbit(v)) in one message and passes the
// upper halves on.
func (cl *call) scatterBinomial(send, recv []byte, root int) error {
	p, n := cl.size, len(recv)
	v := (cl.rank - root + p) % p
	var tmp []byte
	mask := 1
	if v == 0 {
		tmp = send
		if root != 0 { // relative order: rank root first
			var free func()
			tmp, free = scratchBuf[byte](p * n)
			defer free()
			copy(tmp, send[root*n:])
			copy(tmp[(p-root)*n:], send[:root*n])
		}
		for mask < p {
			mask <<= 1
		}
	} else {
		mask = v & -v
		sub := min(mask, p-v)
		tmp = recv
		if sub > 1 {
			var free func()
			tmp, free = scratchBuf[byte](sub * n)
			defer free()
		}
		if err := cl.recv((v-mask+root)%p, tmp[:sub*n]); err != nil {
			return err
		}
	}
	for mask >>= 1; mask > 0; mask >>= 1 {
		if v+mask < p {
			if err := cl.send((v+mask+root)%p, tmp[mask*n:min(2*mask, p-v)*n]); err != nil {
				return err
			}
		}
	}
	if v == 0 || len(tmp) != len(recv) {
		copy(recv, tmp[:n])
	}
	return nil
}

// Scatterv hands counts[i] elements of root's send, packed in rank order,
// to rank i's recv. counts and send matter only on root; each rank's
// len(recv) must equal its count (a difference is reported as a mismatch).
func Scatterv[T comm.Number](ctx context.Context, c *comm.Comm, send, recv []T, counts []int, root int) error {
	cl, err := begin(ctx, c, desc{op: opScatterv, kind: kindOf[T](), root: int32(root), count: -1}, sizeOf[T]())
	if err != nil {
		return err
	}
	if err := cl.checkRoot(root); err != nil {
		return cl.finish(err)
	}
	if cl.rank != root {
		return cl.finish(cl.recv(root, asBytes(recv)))
	}
	offs, err := cl.offsets(counts, len(send))
	if err != nil {
		return cl.finish(err)
	}
	if counts[root] != len(recv) {
		return cl.finish(cl.argError("counts[%d] = %d but root's own len(recv) = %d", root, counts[root], len(recv)))
	}
	es := sizeOf[T]()
	sb := asBytes(send)
	for i := range cl.size {
		if i != root {
			if err := cl.send(i, sb[offs[i]*es:offs[i+1]*es]); err != nil {
				return cl.finish(err)
			}
		}
	}
	copy(asBytes(recv), sb[offs[root]*es:offs[root+1]*es])
	return cl.finish(nil)
}
