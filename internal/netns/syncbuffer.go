package netns

import (
	"strings"
	"sync"
)

// SyncBuffer collects a command's output (exec's copying goroutine
// writes) while a test reads it: the multi-host and Slurm tests watch a
// running job's stderr.
type SyncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
