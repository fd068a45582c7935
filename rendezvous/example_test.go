package rendezvous_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"time"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// Environ is what a launcher puts in each rank's environment; comm.Init
// reads it back with ParseEnv.
func ExampleEnv_Environ() {
	e := rendezvous.Env{Rank: 2, Size: 4, Addr: "10.0.0.1:40000", JobID: "job-42", Secret: []byte{0xc0, 0xff, 0xee}, Compress: true}
	for _, kv := range e.Environ() {
		fmt.Println(kv)
	}
	// Output:
	// GORUN_RANK=2
	// GORUN_SIZE=4
	// GORUN_RENDEZVOUS=10.0.0.1:40000
	// GORUN_JOBID=job-42
	// GORUN_SECRET=c0ffee
	// GORUN_COMPRESS=1
}

// ParseEnv reads a rank's place in its job; without a launcher the Env is
// not Launched (comm.Init then makes a job of one rank).
func ExampleParseEnv() {
	vars := map[string]string{"GORUN_RANK": "1", "GORUN_SIZE": "2", "GORUN_RENDEZVOUS": "127.0.0.1:4000",
		"GORUN_JOBID": "j", "GORUN_SECRET": "0102"}
	e, err := rendezvous.ParseEnv(func(k string) string { return vars[k] })
	fmt.Println(e.Launched(), e.Rank, e.Size, e.Addr, err)
	e, err = rendezvous.ParseEnv(func(string) string { return "" })
	fmt.Println(e.Launched(), err)
	// Output:
	// true 1 2 127.0.0.1:4000 <nil>
	// false <nil>
}

// ParseEnviron reads the entries of an exec.Cmd.Env, as a launcher's
// remote agent does; the last of duplicate keys wins.
func ExampleParseEnviron() {
	e, err := rendezvous.ParseEnviron([]string{"GORUN_BIND=10.0.0.1", "PATH=/bin", "GORUN_BIND=10.0.0.2"})
	fmt.Println(e.Bind, err)
	// Output: 10.0.0.2 <nil>
}

// WithoutJob keeps a nested launch from inheriting its parent job's
// identity.
func ExampleWithoutJob() {
	fmt.Println(rendezvous.WithoutJob([]string{"HOME=/home/u", "GORUN_RANK=3", "GORUN_SECRET=ab"}))
	// Output: [HOME=/home/u]
}

// A minimal launcher, what gorun does for one host: serve the rendezvous,
// start each rank with its Env, tell the others when one fails, and read
// what the ranks report.
func ExampleNewServer() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	job := rendezvous.Job{ID: "demo", Secret: make([]byte, 32), Size: 4}
	rand.Read(job.Secret)
	srv := rendezvous.NewServer(ln, job, nil)
	go srv.Serve(ctx)
	defer srv.Close()
	go func() {
		for ev := range srv.Events() {
			if ev.Kind == rendezvous.EventAbort {
				log.Printf("rank %d called Abort(%d)", ev.Rank, ev.Code)
			}
		}
	}()
	var cmds []*exec.Cmd
	for r := range job.Size {
		e := rendezvous.Env{Rank: r, Size: job.Size, Addr: srv.Addr().String(), JobID: job.ID, Secret: job.Secret}
		cmd := exec.Command("./myprogram")
		cmd.Env = append(rendezvous.WithoutJob(os.Environ()), e.Environ()...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			log.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for r, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			srv.NotifyFailed(r, err.Error()) // the other ranks' calls fail instead of hanging
		}
	}
}

// A rank's side, what comm.Init does: dial the server, register the
// address it listens on for its peers, get every rank's.
func ExampleDial() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	job := rendezvous.Job{ID: "one", Secret: []byte("not secret in an example"), Size: 1}
	srv := rendezvous.NewServer(ln, job, nil)
	go srv.Serve(ctx)
	defer srv.Close()

	conn, err := rendezvous.Dial(ctx, srv.Addr().String(), job, 0, time.Second)
	if err != nil {
		log.Fatal(err)
	}
	table, err := conn.Register(ctx, "127.0.0.1:5555")
	fmt.Println(table, err)
	conn.Goodbye(nil, -1, "") // what Close says
	// Output: [127.0.0.1:5555] <nil>
}

// Write and Read carry one control message: a fixed header and its
// payload.
func ExampleRead() {
	var b bytes.Buffer
	rendezvous.Write(&b, rendezvous.Msg{Type: rendezvous.TypeFailed, Rank: 3, Text: "killed by signal 9 (SIGKILL)"})
	fmt.Println(b.Len())
	m, err := rendezvous.Read(&b)
	fmt.Println(m.Type, m.Rank, m.Text, err)
	// Output:
	// 60
	// failed 3 killed by signal 9 (SIGKILL) <nil>
}

// Append and Parse are Write and Read over a byte slice: a message is a
// fixed 32-byte header and its payload.
func ExampleParse() {
	m := rendezvous.Msg{Type: rendezvous.TypeGoodbye, Ranks: []int{0, 2}, Cause: 4, Text: "exited with code 3"}
	b, err := m.Append(nil)
	if err != nil {
		log.Fatal(err)
	}
	got, err := rendezvous.Parse(b)
	fmt.Println(len(b), got.Type, got.Ranks, got.Cause-1, got.Text, err)
	_, err = rendezvous.Parse(b[:40])
	fmt.Println(err)
	// Output:
	// 58 goodbye [0 2] 3 exited with code 3 <nil>
	// rendezvous: control message declares 26 payload bytes, has 8: rendezvous: malformed control message
}
