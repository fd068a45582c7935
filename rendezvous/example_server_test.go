package rendezvous_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gorun-hpc/gorun/rendezvous"
)

// testJob is a server for a job of n ranks on loopback, each rank's
// connection to it, and the function that ends them all.
type testJob struct {
	srv   *rendezvous.Server
	job   rendezvous.Job
	conns []*rendezvous.Conn
	stop  func()
}

func startJob(n int) *testJob {
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	job := rendezvous.Job{ID: "example", Secret: []byte("a job secret for the examples"), Size: n}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil)) // ranks that leave without registering are logged
	t := &testJob{srv: rendezvous.NewServer(ln, job, quiet), job: job}
	go t.srv.Serve(ctx)
	for r := range n {
		c, err := rendezvous.Dial(ctx, t.srv.Addr().String(), job, r, time.Second)
		if err != nil {
			log.Fatal(err)
		}
		t.conns = append(t.conns, c)
	}
	t.stop = func() {
		for _, c := range t.conns {
			c.Close()
		}
		t.srv.Close()
		cancel()
	}
	return t
}

// registerAll registers every rank at once (each waits for the others)
// and returns the table rank 0 got.
func (t *testJob) registerAll() []string {
	tables := make([][]string, len(t.conns))
	var wg sync.WaitGroup
	for r, c := range t.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tables[r], _ = c.Register(context.Background(), fmt.Sprintf("127.0.0.1:%d", 7000+r))
		}()
	}
	wg.Wait()
	return tables[0]
}

// waitEvent returns the next event of kind from the server.
func (t *testJob) waitEvent(kind rendezvous.EventKind) rendezvous.Event {
	for ev := range t.srv.Events() {
		if ev.Kind == kind {
			return ev
		}
	}
	return rendezvous.Event{}
}

// Serve accepts the ranks' connections; once every rank registered its
// address, each gets the table of all of them, by rank.
func ExampleServer_Serve() {
	t := startJob(3)
	defer t.stop()
	fmt.Println(t.registerAll())
	// Output: [127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002]
}

// Addr is where the server listens: the GORUN_RENDEZVOUS a launcher puts
// in each rank's Env.
func ExampleServer_Addr() {
	t := startJob(1)
	defer t.stop()
	host, _, _ := net.SplitHostPort(t.srv.Addr().String())
	e := rendezvous.Env{Rank: 0, Size: 1, Addr: t.srv.Addr().String(), JobID: t.job.ID, Secret: t.job.Secret}
	back, _ := rendezvous.ParseEnviron(e.Environ())
	fmt.Println(host, back.Addr == t.srv.Addr().String())
	// Output: 127.0.0.1 true
}

// Events delivers what ranks tell the launcher: here rank 1 asks for the
// job to end with code 7.
func ExampleServer_Events() {
	t := startJob(2)
	defer t.stop()
	t.registerAll()
	t.conns[1].Abort(7)
	ev := t.waitEvent(rendezvous.EventAbort)
	fmt.Println(ev.Kind == rendezvous.EventAbort, ev.Rank, ev.Code)
	// Output: true 1 7
}

// NotifyFailed tells every rank that one failed, so their blocked calls
// return an error naming it instead of waiting.
func ExampleServer_NotifyFailed() {
	t := startJob(3)
	defer t.stop()
	t.registerAll()
	t.srv.NotifyFailed(2, "killed by signal 9 (SIGKILL)")
	for _, c := range t.conns[:2] {
		m, err := c.Next()
		fmt.Println(m.Type, m.Rank, m.Text, err)
	}
	// Output:
	// failed 2 killed by signal 9 (SIGKILL) <nil>
	// failed 2 killed by signal 9 (SIGKILL) <nil>
}

// NotifyExited is NotifyFailed for a plain exit code, which may be a
// follower's (a rank failing because another failed): the notice carries
// the code.
func ExampleServer_NotifyExited() {
	t := startJob(2)
	defer t.stop()
	t.registerAll()
	t.srv.NotifyExited(1, 3, "exited with code 3")
	m, err := t.conns[0].Next()
	fmt.Println(m.Type, m.Rank, m.Code, m.Text, err)
	// Output: failed 1 3 exited with code 3 <nil>
}

// Farewell tells a rank that closed its communicator (a goodbye) from
// one that exited without (whose peers would wait for it for ever).
func ExampleServer_Farewell() {
	t := startJob(2)
	defer t.stop()
	t.registerAll()
	t.conns[0].Goodbye(nil, -1, "")
	t.conns[1].Close() // exited without Close
	departed := 0
	for ev := range t.srv.Events() {
		if ev.Kind == rendezvous.EventDeparted {
			if departed++; departed == 2 {
				break
			}
		}
	}
	for r := range 2 {
		registered, saidBye := t.srv.Farewell(r)
		fmt.Println(r, registered, saidBye)
	}
	// Output:
	// 0 true true
	// 1 true false
}

// AllGone closes once every rank said goodbye: a server that rank 0 runs
// itself (under srun) stops then.
func ExampleServer_AllGone() {
	t := startJob(2)
	defer t.stop()
	t.registerAll()
	for _, c := range t.conns {
		c.Goodbye(nil, -1, "")
	}
	select {
	case <-t.srv.AllGone():
		fmt.Println("all gone")
	case <-time.After(time.Minute):
		fmt.Println("still waiting")
	}
	// Output: all gone
}

// Stats returns the I/O statistics each rank sent before its goodbye.
func ExampleServer_Stats() {
	t := startJob(2)
	defer t.stop()
	t.registerAll()
	for r, c := range t.conns {
		c.Stats([]byte(fmt.Sprintf(`{"rank":%d}`, r)))
		c.Goodbye(nil, -1, "")
	}
	<-t.srv.AllGone()
	stats := t.srv.Stats()
	fmt.Println(len(stats), string(stats[0]), string(stats[1]))
	// Output: 2 {"rank":0} {"rank":1}
}

// Close stops the service: ranks' connections end, and their reads
// fail.
func ExampleServer_Close() {
	t := startJob(1)
	defer t.stop()
	t.registerAll()
	t.srv.Close()
	_, err := t.conns[0].Next()
	fmt.Println(err != nil)
	// Output: true
}

// Register sends the address a rank listens on and waits for every
// rank's.
func ExampleConn_Register() {
	t := startJob(2)
	defer t.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := t.conns[0].Register(ctx, "127.0.0.1:7000") // rank 1 never registers
	fmt.Println(err)
	// Output: no address table from the rendezvous: context deadline exceeded
}

// LocalAddr is the rank's end of its connection: by default it listens
// for its peers on that interface.
func ExampleConn_LocalAddr() {
	t := startJob(1)
	defer t.stop()
	host, _, _ := net.SplitHostPort(t.conns[0].LocalAddr().String())
	fmt.Println(host)
	// Output: 127.0.0.1
}

// Next reads the server's notices: here that rank 0 said goodbye, which
// rank 2 learns as TypeLeft (rank 1, which got the goodbye on a stream
// from rank 0, is not told again).
func ExampleConn_Next() {
	t := startJob(3)
	defer t.stop()
	t.registerAll()
	t.conns[0].Goodbye([]int{1}, -1, "")
	m, err := t.conns[2].Next()
	fmt.Println(m.Type, m.Rank, m.Ranks, err)
	// Output: left 0 [1] <nil>
}

// Abort asks the launcher to end the job; the server passes it on as an
// EventAbort.
func ExampleConn_Abort() {
	t := startJob(1)
	defer t.stop()
	t.registerAll()
	if err := t.conns[0].Abort(2); err != nil {
		fmt.Println(err)
	}
	ev := t.waitEvent(rendezvous.EventAbort)
	fmt.Println(ev.Rank, ev.Code)
	// Output: 0 2
}

// Cause says a rank fails because another failed first, so the launcher
// names the first.
func ExampleConn_Cause() {
	t := startJob(3)
	defer t.stop()
	t.registerAll()
	t.conns[1].Cause(2)
	ev := t.waitEvent(rendezvous.EventCause)
	fmt.Println(ev.Rank, "failed because of", ev.Code)
	// Output: 1 failed because of 2
}

// Goodbye says the rank closed its world communicator (comm's Close
// does it), with the rank it failed because of, if any.
func ExampleConn_Goodbye() {
	t := startJob(2)
	defer t.stop()
	t.registerAll()
	t.conns[1].Goodbye(nil, 0, "exited with code 3")
	ev := t.waitEvent(rendezvous.EventGoodbye)
	m, _ := t.conns[0].Next()
	fmt.Println(ev.Rank, m.Type, m.Rank, m.Cause-1, m.Text)
	// Output: 1 left 1 0 exited with code 3
}

// Panicked says the rank's Close ran during a panic: it failed, it did
// not leave.
func ExampleConn_Panicked() {
	t := startJob(1)
	defer t.stop()
	t.registerAll()
	t.conns[0].Panicked()
	ev := t.waitEvent(rendezvous.EventPanicked)
	fmt.Println(ev.Rank)
	// Output: 0
}

// Stats sends a rank's statistics in parts that fit a message; the
// server puts them together.
func ExampleConn_Stats() {
	t := startJob(1)
	defer t.stop()
	t.registerAll()
	big := bytes.Repeat([]byte("x"), 3*rendezvous.MaxPayload)
	if err := t.conns[0].Stats(big); err != nil {
		fmt.Println(err)
	}
	t.conns[0].Goodbye(nil, -1, "")
	<-t.srv.AllGone()
	fmt.Println(len(t.srv.Stats()[0]) == len(big))
	// Output: true
}

// Close drops the connection without a word: the launcher sees the rank
// depart, without a goodbye.
func ExampleConn_Close() {
	t := startJob(1)
	defer t.stop()
	t.registerAll()
	t.conns[0].Close()
	ev := t.waitEvent(rendezvous.EventDeparted)
	_, bye := t.srv.Farewell(0)
	fmt.Println(ev.Rank, bye)
	// Output: 0 false
}

// Launched tells a rank started by a launcher from a program run alone.
func ExampleEnv_Launched() {
	alone, _ := rendezvous.ParseEnviron(nil)
	launched, _ := rendezvous.ParseEnviron(rendezvous.Env{Rank: 0, Size: 2, Addr: "127.0.0.1:1", JobID: "j", Secret: []byte{1}}.Environ())
	fmt.Println(alone.Launched(), launched.Launched())
	// Output: false true
}

// Job is the job an Env describes, for Dial.
func ExampleEnv_Job() {
	e := rendezvous.Env{Rank: 3, Size: 8, JobID: "j-17", Secret: []byte{0xab}}
	fmt.Printf("%+v\n", e.Job())
	// Output: {ID:j-17 Secret:[171] Size:8}
}

// Type prints as the protocol's name for the message.
func ExampleType_String() {
	var names []string
	for _, t := range []rendezvous.Type{rendezvous.TypeRegister, rendezvous.TypeTable, rendezvous.TypeFailed, rendezvous.TypeAbort, rendezvous.TypeCause, rendezvous.TypeGoodbye, rendezvous.TypeLeft, rendezvous.TypePanicked, rendezvous.TypeStats} {
		names = append(names, t.String())
	}
	fmt.Println(names)
	// Output: [register table failed abort cause goodbye left panicked stats]
}

// Append encodes a message into a byte slice: a 32-byte header, then the
// ranks, the addresses and the text.
func ExampleMsg_Append() {
	m := rendezvous.Msg{Type: rendezvous.TypeTable, Addrs: []string{"10.0.0.1:7000", "10.0.0.2:7000"}}
	b, err := m.Append(nil)
	back, _ := rendezvous.Parse(b)
	fmt.Println(len(b), back.Addrs, err)
	// Output: 62 [10.0.0.1:7000 10.0.0.2:7000] <nil>
}

// Write writes a message in one call, so concurrent writers on one
// connection never interleave.
func ExampleWrite() {
	var b bytes.Buffer
	rendezvous.Write(&b, rendezvous.Msg{Type: rendezvous.TypeAbort, Rank: 1, Code: 9})
	rendezvous.Write(&b, rendezvous.Msg{Type: rendezvous.TypeRegister, Text: "10.0.0.5:7001"})
	for {
		m, err := rendezvous.Read(&b)
		if err != nil {
			break
		}
		fmt.Printf("%v %d %d %q\n", m.Type, m.Rank, m.Code, m.Text)
	}
	// Output:
	// abort 1 9 ""
	// register 0 0 "10.0.0.5:7001"
}
