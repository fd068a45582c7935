package launch

import (
	"errors"
	"fmt"
)

// App is one program of an MPMD job (`gorun -n 1 ./a : -n 3 ./b`): Size
// ranks running Path, numbered after the ranks of the Apps before it. All
// of a job's Apps form one world; each rank learns its App's index from
// GORUN_APPNUM (MPI's MPI_APPNUM).
type App struct {
	Size  int      // ranks of this program, at least 1
	Path  string   // the executable
	Args  []string // arguments after the program name
	Argv0 string   // argv[0] the ranks see; "" = Path
	Dir   string   // working directory; "" = Job.Dir
	Extra []string // "VAR=value" entries for these ranks only, after Job.Extra
}

// appsDefaults checks j.Apps and makes j.Size their total, so the rest of
// the launcher sizes the world from it.
func (j *Job) appsDefaults() error {
	if len(j.Apps) == 0 {
		return nil
	}
	total := 0
	for i, a := range j.Apps {
		if a.Size < 1 {
			return fmt.Errorf("launch: program %d (%s) of the MPMD job has %d ranks: give at least 1", i, a.Path, a.Size)
		}
		if a.Path == "" {
			return errors.New("launch: a program of the MPMD job has no path")
		}
		total += a.Size
	}
	j.Size = total
	if j.Path == "" {
		j.Path = j.Apps[0].Path
	}
	return nil
}

// app is what rank id runs and its App's index: Job's own program and 0
// when the job has no Apps.
func (j *Job) app(id int) (App, int) {
	if len(j.Apps) == 0 {
		return App{Size: j.Size, Path: j.Path, Args: j.Args, Argv0: j.Argv0, Dir: j.Dir}, 0
	}
	first := 0
	for i, a := range j.Apps {
		if id < first+a.Size {
			if a.Dir == "" {
				a.Dir = j.Dir
			}
			return a, i
		}
		first += a.Size
	}
	return App{}, -1 // not reached: Size is the Apps' total
}

// extra is the -x entries of rank id: the job's, then its App's.
func (j *Job) extra(id int) []string {
	a, _ := j.app(id)
	if len(a.Extra) == 0 {
		return j.Extra
	}
	return append(append([]string(nil), j.Extra...), a.Extra...)
}
