package collectives

import (
	"github.com/gorun-hpc/gorun/comm"
	"github.com/gorun-hpc/gorun/internal/scratch"
)

// scratchBuf returns n elements of uninitialised (possibly dirty) memory
// from internal/scratch's pools and the function that gives them back.
func scratchBuf[T comm.Number](n int) ([]T, func()) { return scratch.Get[T](n) }
