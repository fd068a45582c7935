package launch

import "strings"

// rankEnv builds a rank's environment: base without any GORUN_* variable
// (a nested launch must not inherit its parent job's identity), then this
// job's variables, then GORUN_BIND, then the caller's extra entries, which
// win (os/exec keeps the last of duplicate keys).
func rankEnv(base, job []string, bind string, extra []string) []string {
	env := make([]string, 0, len(base)+len(job)+len(extra)+1)
	for _, kv := range base {
		if !strings.HasPrefix(kv, "GORUN_") {
			env = append(env, kv)
		}
	}
	env = append(env, job...)
	if bind != "" {
		env = append(env, "GORUN_BIND="+bind)
	}
	return append(env, extra...)
}
