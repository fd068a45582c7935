package launch

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// OutputFiles writes every rank's stdout and stderr to files of its own,
// as Open MPI 4's --output-filename DIR does: DIR/1/rank.N/stdout and
// DIR/1/rank.N/stderr, N zero-padded to the digits of the job size
// (rank.00 .. rank.10 for 11 ranks). The files get the rank's bytes as
// written, without -l's tags; the terminal still gets them too unless
// NoCopy.
type OutputFiles struct {
	Dir    string
	NoCopy bool // Open MPI's DIR:nocopy
}

// ParseOutputFilename reads --output-filename's value: DIR, or
// DIR:nocopy. DIR is made absolute, as Open MPI does.
func ParseOutputFilename(v string) (OutputFiles, error) {
	var o OutputFiles
	dir, mods, _ := strings.Cut(v, ":")
	for _, m := range strings.Split(mods, ",") {
		switch strings.ToLower(strings.TrimSpace(m)) {
		case "":
		case "nocopy":
			o.NoCopy = true
		default:
			return o, fmt.Errorf("--output-filename %q: unknown directive %q (known: nocopy)", v, m)
		}
	}
	if dir == "" {
		return o, fmt.Errorf("--output-filename %q: give a directory", v)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return o, fmt.Errorf("--output-filename %q: %w", v, err)
	}
	o.Dir = abs
	return o, nil
}

// rankDir is rank's directory under o.Dir in a job of size ranks.
func (o OutputFiles) rankDir(rank, size int) string {
	return filepath.Join(o.Dir, "1", fmt.Sprintf("rank.%0*d", len(strconv.Itoa(size)), rank))
}

// rankOutput is where rank id's streams go: the shared sinks, and with
// Output.Dir also that rank's files, written through the copiers' see
// hook (every byte passes it, untagged). crashSee is stderr's own hook
// (panic.go). The files are closed by closeFiles once the copiers are
// done.
func (r *Running) rankOutput(id int, outSink, errSink *sink, crashSee func([]byte)) (out, errs *sink, outSee, errSee func([]byte), err error) {
	o := r.job.Output
	if o.Dir == "" {
		return outSink, errSink, nil, crashSee, nil
	}
	dir := o.rankDir(id, r.job.Size)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("launch: --output-filename for rank %d: %w", id, err)
	}
	fo, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("launch: --output-filename for rank %d: %w", id, err)
	}
	fe, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		fo.Close()
		return nil, nil, nil, nil, fmt.Errorf("launch: --output-filename for rank %d: %w", id, err)
	}
	r.files = append(r.files, fo, fe)
	out, errs = outSink, errSink
	if o.NoCopy {
		out = &sink{w: io.Discard}
		errs = &sink{w: io.Discard}
	}
	// A failed write (full disk) must not stop the copier: dropped, as
	// the sinks drop theirs.
	outSee = func(b []byte) { _, _ = fo.Write(b) }
	errSee = func(b []byte) {
		_, _ = fe.Write(b)
		if crashSee != nil {
			crashSee(b)
		}
	}
	return out, errs, outSee, errSee, nil
}

// closeFiles closes the --output-filename files after the copiers ended.
func (r *Running) closeFiles() {
	for _, f := range r.files {
		_ = f.Close()
	}
	r.files = nil
}
