package launch

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// maxLine is the longest line kept whole. A longer line is passed on in
// pieces of this size (each tagged when tagging), so one rank printing a
// huge line cannot make the launcher buffer without bound.
const maxLine = 64 << 10

// sink is one destination (the launcher's stdout or stderr) shared by every
// rank. Whole lines are written under mu, so lines of different ranks never
// interleave mid-line.
type sink struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *sink) write(p ...[]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range p {
		// A failed write (closed terminal, full disk) must not stop the
		// reader: the rank would block on a full pipe. Drop the output.
		_, _ = s.w.Write(b)
	}
}

// tagPrefix is the -l/--tag-output prefix: "[3] " (MPICH's mpiexec -l form).
func tagPrefix(rank int) []byte {
	return []byte("[" + strconv.Itoa(rank) + "] ")
}

// copyLines reads one rank's stream until EOF and writes it to dst a whole
// line at a time. With a prefix every line gets it and a last line without
// a newline gets one; without a prefix the bytes pass through unchanged.
// see, if not nil, is shown every line (or piece of an over-long one)
// first, without the prefix.
func copyLines(dst *sink, src io.Reader, prefix []byte, see func([]byte)) error {
	br := bufio.NewReaderSize(src, maxLine)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 && see != nil {
			see(line)
		}
		if len(line) > 0 {
			switch {
			case prefix == nil:
				dst.write(line)
			case line[len(line)-1] == '\n':
				dst.write(prefix, line)
			default: // a piece of an over-long line, or the unterminated end
				dst.write(prefix, line, []byte{'\n'})
			}
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF), errors.Is(err, os.ErrClosed):
			return nil
		default:
			return err
		}
	}
}

// streams owns the pipes that carry every rank's stdout and stderr to the
// launcher, and the goroutines that copy them.
type streams struct {
	wg      sync.WaitGroup
	readers []*os.File
}

// add makes a pipe whose write end goes to the rank and whose read end is
// copied to dst (see and prefix as for copyLines); ended, if not nil, is
// closed when the copy is done. The caller closes the returned write end
// after the rank has started.
func (s *streams) add(dst *sink, prefix []byte, see func([]byte), ended chan struct{}) (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	s.readers = append(s.readers, r)
	s.wg.Go(func() {
		if ended != nil {
			defer close(ended)
		}
		_ = copyLines(dst, r, prefix, see)
	})
	return w, nil
}

// drain waits until every rank's output has reached its sink. A rank's
// stray child that keeps a pipe open cannot hold the launcher: after wait
// the remaining reads are cut off.
func (s *streams) drain(wait time.Duration) {
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(wait):
		for _, r := range s.readers {
			_ = r.SetReadDeadline(time.Now())
		}
		<-done
	}
	for _, r := range s.readers {
		_ = r.Close()
	}
}
