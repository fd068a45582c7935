package main

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// BenchmarkStartup measures the wall time of `gorun -n N hello` with a
// prebuilt hello: launcher start, rendezvous, N processes through comm.Init
// and Close, and teardown. Aim: under 50 ms for 4 ranks.
func BenchmarkStartup(b *testing.B) {
	if helloBin == "" {
		b.Skip("examples/hello is not built")
	}
	for _, n := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("ranks=%d", n), func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(gorunBin, "-n", fmt.Sprint(n), helloBin)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("gorun: %v\n%s", err, out)
				}
			}
		})
	}
}

// BenchmarkStartupMpiexec is the same measurement for Open MPI's mpiexec
// starting `hostname` (no MPI_Init at all, so a lower bound for an MPI hello),
// for the ratio against BenchmarkStartup. Skipped without mpiexec.
func BenchmarkStartupMpiexec(b *testing.B) {
	mpiexec, err := exec.LookPath("mpiexec")
	if err != nil {
		b.Skip("mpiexec not installed")
	}
	for _, n := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("ranks=%d", n), func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(mpiexec, "--oversubscribe", "-n", fmt.Sprint(n), "hostname")
				cmd.Env = append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("mpiexec: %v\n%s", err, out)
				}
			}
		})
	}
}

// BenchmarkStartupTrue is gorun's own cost: `gorun -n N /bin/true` (no Go
// runtime and no comm in the ranks), the floor under BenchmarkStartup.
func BenchmarkStartupTrue(b *testing.B) {
	for _, n := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("ranks=%d", n), func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(gorunBin, "-n", fmt.Sprint(n), "/bin/true")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("gorun: %v\n%s", err, out)
				}
			}
		})
	}
}
