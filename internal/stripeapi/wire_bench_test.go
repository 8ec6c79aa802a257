package stripeapi

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkWireDelay measures the delays between a request's slot and its arrival at a server
// on this machine, which decide how much margin the budget's window needs. 3,000 GETs per run
// from 8 workers, rate unbounded; "busy" adds one spinning goroutine per CPU to the process, the
// way a node busy with query execution competes with its own HTTP goroutines. Figures are
// microseconds; run it with and without -race, and on a loaded machine.
//
//   - grant-start: the slot is granted → the request's bytes were handed to the kernel (the
//     Scheduler's start). The window counts a granted request from its grant until then, so this
//     delay needs no margin.
//   - wrote-start: net/http's WroteRequest hook → the socket write returned: how early a start
//     taken from WroteRequest would be on HTTP/1 (why startConn takes it from the write).
//   - start-arrival: the start → the server's kernel received the request (SO_TIMESTAMPNS).
//     Negative or near zero on loopback; over a network it is the network's jitter, which is
//     what StartGuard is for.
//   - arrival-handler: the server's kernel received it → its handler ran: the test server's own
//     scheduling, why the fake server records kernel times.
func BenchmarkWireDelay(b *testing.B) {
	for _, busy := range []bool{false, true} {
		name := "idle"
		if busy {
			name = "busy"
		}
		b.Run(name, func(b *testing.B) {
			var all delays
			for i := 0; i < b.N; i++ {
				d := wireDelays(b, busy)
				all.grantStart = append(all.grantStart, d.grantStart...)
				all.wroteStart = append(all.wroteStart, d.wroteStart...)
				all.startArrival = append(all.startArrival, d.startArrival...)
				all.arrivalHandler = append(all.arrivalHandler, d.arrivalHandler...)
			}
			report(b, "grant-start", all.grantStart)
			report(b, "wrote-start", all.wroteStart)
			report(b, "start-arrival", all.startArrival)
			report(b, "arrival-handler", all.arrivalHandler)
		})
	}
}

type delays struct {
	grantStart, wroteStart, startArrival, arrivalHandler []time.Duration
}

// flushConn records when each request's bytes were handed to the kernel, keyed by its path.
type flushConn struct {
	net.Conn
	mu      *sync.Mutex
	flushed map[string]time.Time
}

func (c *flushConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	at := time.Now()
	if line, _, ok := strings.Cut(string(p), " HTTP/1.1"); ok {
		if _, path, ok := strings.Cut(line, " "); ok {
			c.mu.Lock()
			c.flushed[path] = at
			c.mu.Unlock()
		}
	}
	return n, err
}

func wireDelays(b *testing.B, busy bool) (d delays) {
	var mu sync.Mutex
	handled := map[string]time.Time{}
	flushed := map[string]time.Time{}
	srv := newFake(b, func(n int, w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		mu.Lock()
		handled[r.URL.Path] = at
		mu.Unlock()
		writeJSON(w, 200, okCustomer)
	})
	s := NewScheduler(1e6)
	s.onStart = func(g, st time.Time) { d.grantStart = append(d.grantStart, st.Sub(g)) }
	tr := http.DefaultTransport.(*http.Transport).Clone()
	var dialer net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &flushConn{Conn: c, mu: &mu, flushed: flushed}, nil
	}
	cfg := Config{APIKey: testKey, BaseURL: srv.URL, Scheduler: s, Cache: NewCache(0, 0), HTTPClient: &http.Client{Transport: tr}}
	c, err := NewClient(cfg)
	if err != nil {
		b.Fatal(err)
	}
	stop := make(chan struct{})
	var spinners sync.WaitGroup
	if busy {
		for i := 0; i < runtime.GOMAXPROCS(0); i++ {
			spinners.Add(1)
			go func() {
				defer spinners.Done()
				x := 0
				for {
					select {
					case <-stop:
						return
					default:
					}
					for j := 0; j < 10000; j++ {
						x += j
					}
				}
			}()
		}
	}
	const total = 3000
	wrote := make([]time.Time, total)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
					WroteRequest: func(httptrace.WroteRequestInfo) { wrote[i] = time.Now() },
				})
				if _, err := c.Retrieve(ctx, fmt.Sprintf("/v1/customers/cus_%d", i), nil); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	spinners.Wait()
	arrived := map[string]time.Time{}
	for _, r := range srv.requests() {
		arrived[r.Path] = r.At
	}
	for i := 0; i < total; i++ {
		path := fmt.Sprintf("/v1/customers/cus_%d", i)
		d.wroteStart = append(d.wroteStart, flushed[path].Sub(wrote[i]))
		d.startArrival = append(d.startArrival, arrived[path].Sub(flushed[path]))
		d.arrivalHandler = append(d.arrivalHandler, handled[path].Sub(arrived[path]))
	}
	return d
}

func report(b *testing.B, name string, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	q := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))]) / 1e3 }
	b.ReportMetric(q(0), name+"-min-µs")
	b.ReportMetric(q(0.5), name+"-p50-µs")
	b.ReportMetric(q(0.999), name+"-p99.9-µs")
	b.ReportMetric(q(1), name+"-max-µs")
}
