package launch

import "github.com/gorun-hpc/gorun/rendezvous"

// rankEnv builds a rank's environment: base without any GORUN_* variable
// (a nested launch must not inherit its parent job's identity), then this
// job's variables (job.Environ()), then the caller's extra entries, which
// win (os/exec keeps the last of duplicate keys).
func rankEnv(base []string, job rendezvous.Env, extra []string) []string {
	env := rendezvous.WithoutJob(base)
	env = append(env, job.Environ()...)
	return append(env, extra...)
}
