//go:build unix

package launch

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// nodeRecords runs a node agent in this process for ranks running
// helperMain with the given modes (rank i: modes[i]) and returns the
// launcher's end of its control stream, and the records it sends, parsed,
// on a channel closed when its stdout ends.
func nodeRecords(t *testing.T, modes ...string) (*io.PipeWriter, <-chan [3]string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var specs []agentSpec
	for i, mode := range modes {
		je := rendezvous.Env{Rank: i, Size: len(modes), JobID: "test", Secret: []byte{1}}
		specs = append(specs, agentSpec{Rank: i, Host: "test", Path: exe, Args: strings.Fields(mode)[1:], Dir: t.TempDir(), CPUs: -1, Local: len(modes),
			Env: append(je.Environ(), "LAUNCH_TEST_HELPER="+strings.Fields(mode)[0]), Rendezvous: "127.0.0.1:1"})
	}
	line, err := json.Marshal(agentSpec{Host: "test", Ranks: specs})
	if err != nil {
		t.Fatal(err)
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	t.Cleanup(func() { inW.Close() })
	go func() {
		Agent(inR, outW, io.Discard)
		outW.Close()
	}()
	if _, err := inW.Write(append(line, '\n')); err != nil {
		t.Fatal(err)
	}
	recs := make(chan [3]string, 64)
	go func() {
		defer close(recs)
		br := bufio.NewReader(outR)
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			f := strings.Fields(l)
			switch f[0] {
			case "o", "e":
				n, _ := strconv.Atoi(f[2])
				b := make([]byte, n)
				if _, err := io.ReadFull(br, b); err != nil {
					return
				}
				recs <- [3]string{f[0], f[1], string(b)}
			case "x":
				recs <- [3]string{"x", f[1], f[2] + " " + f[3]}
			default:
				recs <- [3]string{"?", "", l}
			}
		}
	}()
	return inW, recs
}

// TestNodeAgent: a node agent starts each rank of its host with its own
// program arguments and environment, sends each rank's output and exit as
// records naming the rank, output before exit, and signals only the rank
// a "signal N RANK" record names.
func TestNodeAgent(t *testing.T) {
	in, recs := nodeRecords(t, "hello", "exit 1 3", "exit 9 0")
	out := map[string]string{}
	exits := map[string]string{}
	deadline := time.After(time.Minute)
	for len(exits) < 2 {
		select {
		case r, ok := <-recs:
			if !ok {
				t.Fatalf("the agent's records ended early: %v %v", out, exits)
			}
			if r[0] == "x" {
				if _, early := out[r[1]]; !early && r[1] != "2" {
					t.Errorf("rank %s's exit came before its output", r[1])
				}
				exits[r[1]] = r[2]
			} else {
				out[r[1]] += r[0] + ":" + r[2]
			}
		case <-deadline:
			t.Fatalf("no exits of ranks 0 and 1 within a minute: %v %v", out, exits)
		}
	}
	if out["0"] != "o:hello from rank 0 of 3\n" || exits["0"] != "0 0" {
		t.Errorf("rank 0: output %q, exit %q; want its hello and 0", out["0"], exits["0"])
	}
	if !strings.Contains(out["1"], "e:rank 1 exiting with 3") || exits["1"] != "3 0" {
		t.Errorf("rank 1: output %q, exit %q; want its stderr line and code 3", out["1"], exits["1"])
	}
	if _, err := io.WriteString(in, "signal 9 2\n"); err != nil {
		t.Fatal(err)
	}
	for r := range recs {
		if r[0] == "x" {
			if r[1] != "2" || !strings.HasSuffix(r[2], " 9") {
				t.Errorf("exit record %v, want rank 2 killed by signal 9", r)
			}
			break
		}
	}
	if _, ok := <-recs; ok {
		t.Error("records after every rank's exit")
	}
}
