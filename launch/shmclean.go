package launch

import (
	"log/slog"
	"runtime"

	"github.com/gorun-hpc/gorun/internal/shmjob"
	"github.com/gorun-hpc/gorun/rendezvous"
)

// removeSegments removes the shared-memory segments of the job that are
// left in this host's /dev/shm once its ranks are gone. Ranks unlink each
// segment as soon as its users mapped it; only a rank killed in that
// window leaves one, and a file in /dev/shm holds its memory until
// reboot. The names carry a tag from the job secret and the creating rank
// (internal/shmjob), so only this job's files of the ranks mine accepts
// (nil: all) are touched.
func removeSegments(secret []byte, jobID string, mine func(int) bool, log *slog.Logger) {
	if runtime.GOOS != "linux" {
		return
	}
	n, err := shmjob.Remove(shmjob.Dir, secret, jobID, mine)
	switch {
	case log == nil: // a node agent: its output is the ranks' records
	case err != nil:
		log.Debug("shared-memory cleanup", "dir", shmjob.Dir, "err", err)
	case n > 0:
		log.Debug("removed shared-memory segments left by killed ranks", "dir", shmjob.Dir, "count", n)
	}
}

// agentSegments removes, at the end of a node agent, the segments its
// ranks (every rank of the job on this host) left; the job's secret and
// id come from the ranks' environment.
func agentSegments(specs []agentSpec) {
	if len(specs) == 0 {
		return
	}
	env, err := rendezvous.ParseEnviron(specs[0].Env)
	if err != nil {
		return
	}
	ours := map[int]bool{}
	for _, s := range specs {
		ours[s.Rank] = true
	}
	removeSegments(env.Secret, env.JobID, func(r int) bool { return ours[r] }, nil)
}
