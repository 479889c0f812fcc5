// Command proxybench measures what pagematch costs an httputil.ReverseProxy,
// over loopback only (127.0.0.1). The main process runs an origin serving
// synthetic manga pages as JPEGs and the load generator; a child process
// (this program again, with -role proxy) runs two identical ReverseProxies
// in front of the origin, one plain and one with Matcher.ModifyResponse.
// Runs of the two proxies alternate (ABAB, then BABA) under the same load;
// each figure is the median over the rounds.
//
//	go run ./benchmarks/cmd/proxybench
//	go run ./benchmarks/cmd/proxybench -conc 8 -requests 3000 -rounds 7 -json out.json
//
// Two scenarios:
//
//   - cache-hit: requests cycle over -pages distinct pages the Matcher has
//     already seen (verdict cache hits), from -conc clients (the machine
//     saturated: throughput) and from one client (latency without
//     queueing);
//   - first-seen: every request gets a body never seen before (the page
//     with a unique JPEG comment), so every response is fingerprinted.
//
// Figures: wall-clock throughput (requests/s) and latency percentiles, the
// added latency (pagematch's percentile minus the plain proxy's, per
// round), and the proxy process's CPU time per request (getrusage in the
// child, read before and after each run; one proxy is loaded at a time).
// On a busy machine the wall-clock figures swing with other load while
// CPU per request barely moves, so the throughput cost is given both
// ways; the CPU ratio is what a CPU-bound proxy would lose. The targets
// for cache hits are a throughput cost of at most 5% and at most 200 µs
// of added p99 latency.
//
// The first-seen rows are bounded by the fingerprint: its single-core
// time is measured in the same run, and responses whose fingerprint
// misses the time budget pass with a timeout or busy verdict (counted).
// The table goes to stderr, the JSON to stdout (or -json).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
	"github.com/pagematch/pagematch/match"
)

type config struct {
	pages, width, height, quality int
	conc, requests, rounds        int
	firstConc, firstRequests      int
	budget                        time.Duration
	maxDuration                   time.Duration
	jsonPath                      string
}

// Row is one scenario's figures, medians over the rounds.
type Row struct {
	Scenario       string  `json:"scenario"`
	Concurrency    int     `json:"concurrency"`
	RequestsPerRun int     `json:"requests_per_run"`
	Rounds         int     `json:"rounds"`
	BodyBytes      int     `json:"body_bytes"`
	PlainRPS       float64 `json:"plain_rps"`
	PagematchRPS   float64 `json:"pagematch_rps"`
	// WallCost is 1 - pagematch/plain throughput, median of per-round ratios.
	WallCost float64 `json:"throughput_cost_wall"`
	// CPU time of the proxy process per request, and 1 - plain/pagematch.
	PlainCPUus     float64 `json:"plain_proxy_cpu_us_per_request"`
	PagematchCPUus float64 `json:"pagematch_proxy_cpu_us_per_request"`
	CPUCost        float64 `json:"throughput_cost_cpu"`
	AddedCPUus     float64 `json:"added_cpu_us_per_request"` // median of per-round differences
	PlainP50us     float64 `json:"plain_p50_us"`
	PlainP99us     float64 `json:"plain_p99_us"`
	PagematchP50us float64 `json:"pagematch_p50_us"`
	PagematchP99us float64 `json:"pagematch_p99_us"`
	AddedP50us     float64 `json:"added_p50_us"`
	AddedP99us     float64 `json:"added_p99_us"`
	// Time spent in ModifyResponse (reading the body, hashing, looking
	// up, fingerprinting on a miss): what each response waits before its
	// first byte can leave the proxy. Over all pagematch runs.
	HoldP50us    float64          `json:"hold_p50_us"`
	HoldP99us    float64          `json:"hold_p99_us"`
	Verdicts     map[string]int64 `json:"verdicts"`
	MeetsTargets *bool            `json:"meets_targets,omitempty"`
	Errors       int64            `json:"errors"`
}

// Result is the JSON document.
type Result struct {
	Rows                []Row   `json:"rows"`
	FingerprintMsP50    float64 `json:"fingerprint_ms_p50_one_core"`
	FingerprintMsP99    float64 `json:"fingerprint_ms_p99_one_core"`
	FingerprintBoundRPS float64 `json:"fingerprint_bound_rps"` // GOMAXPROCS / p50
	BudgetMs            float64 `json:"budget_ms"`
	Pages               int     `json:"pages"`
	PageSize            string  `json:"page_size"`
	JPEGQuality         int     `json:"jpeg_quality"`
	GOMAXPROCS          int     `json:"gomaxprocs"`
	GoVersion           string  `json:"go_version"`
	LoadAverage         string  `json:"load_average,omitempty"`
	Seconds             float64 `json:"seconds"`
	Truncated           bool    `json:"truncated"` // -max-duration cut the run short
}

func main() {
	var c config
	role := flag.String("role", "bench", "bench, or proxy (internal: the child process)")
	indexPath := flag.String("index", "", "index file (proxy role)")
	origin := flag.String("origin", "", "origin address (proxy role)")
	flag.IntVar(&c.pages, "pages", 32, "distinct pages for the cache-hit scenario")
	flag.IntVar(&c.width, "width", 1200, "page width")
	flag.IntVar(&c.height, "height", 1700, "page height")
	flag.IntVar(&c.quality, "q", 85, "JPEG quality")
	flag.IntVar(&c.conc, "conc", 8, "concurrent clients, cache-hit scenario")
	flag.IntVar(&c.requests, "requests", 3000, "requests per run, cache-hit scenario")
	flag.IntVar(&c.rounds, "rounds", 7, "rounds (one plain and one pagematch run each)")
	flag.IntVar(&c.firstConc, "first-conc", 2, "concurrent clients, first-seen scenario")
	flag.IntVar(&c.firstRequests, "first-requests", 60, "requests per run, first-seen scenario")
	flag.DurationVar(&c.budget, "budget", match.DefaultBudget, "fingerprint time budget")
	flag.DurationVar(&c.maxDuration, "max-duration", 5*time.Minute, "start no round after this long")
	flag.StringVar(&c.jsonPath, "json", "", "write the JSON here instead of stdout")
	flag.Parse()
	if *role == "proxy" {
		if err := proxyMain(*indexPath, *origin, c); err != nil {
			log.Fatal(err)
		}
		return
	}
	if c.pages < 1 || c.conc < 1 || c.requests < 1 || c.rounds < 1 || c.firstConc < 1 || c.firstRequests < 1 {
		log.Fatal("proxybench: counts must be positive")
	}
	res, err := run(c)
	if err != nil {
		log.Fatal(err)
	}
	printTable(os.Stderr, res)
	out := os.Stdout
	if c.jsonPath != "" {
		f, err := os.Create(c.jsonPath)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		out = f
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		log.Fatal(err)
	}
}

func run(c config) (*Result, error) {
	start := time.Now()
	ctx := context.Background()
	log.Printf("rendering %d pages of %dx%d", c.pages, c.width, c.height)
	bodies := make([][]byte, c.pages)
	b := index.NewBuilder()
	for i := range bodies {
		img := testpages.Page(testpages.Spec{Series: i / 8, Page: i % 8, Width: c.width, Height: c.height})
		body, err := pirate.EncodeJPEG(img, c.quality)
		if err != nil {
			return nil, err
		}
		bodies[i] = body
		// Index every other page: half the responses match.
		if i%2 == 0 {
			fp, err := fingerprint.FromBytes(ctx, body)
			if err != nil {
				return nil, err
			}
			b.Add(index.Entry{ID: fmt.Sprintf("bench/%d", i), Hash: fp.Hash, Quality: uint8(fp.Quality)})
		}
	}
	dir, err := os.MkdirTemp("", "proxybench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	indexPath := filepath.Join(dir, "ref.pmx")
	if err := b.Save(indexPath); err != nil {
		return nil, err
	}

	origin, err := serve(originHandler(bodies))
	if err != nil {
		return nil, err
	}
	defer origin.Close()
	child, err := startProxy(ctx, indexPath, origin.Addr, c)
	if err != nil {
		return nil, err
	}
	defer child.stop()

	res := &Result{
		BudgetMs: ms(c.budget), Pages: c.pages, PageSize: fmt.Sprintf("%dx%d", c.width, c.height),
		JPEGQuality: c.quality, GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(),
	}
	// The fingerprint alone, one core, unique bodies, in this run.
	fps := make([]time.Duration, 0, 2*c.pages)
	for i := range 2 * c.pages {
		body := uniqueJPEG(bodies[i%c.pages], uint64(1<<62+i))
		t0 := time.Now()
		if _, err := fingerprint.FromBytes(ctx, body); err != nil {
			return nil, err
		}
		fps = append(fps, time.Since(t0))
	}
	slices.Sort(fps)
	res.FingerprintMsP50 = ms(quantile(fps, 0.5))
	res.FingerprintMsP99 = ms(quantile(fps, 0.99))
	res.FingerprintBoundRPS = float64(runtime.GOMAXPROCS(0)) / quantile(fps, 0.5).Seconds()

	// Warm the Matcher: every page once through the pagematch proxy.
	cl := newClient(c.conc)
	for i := range bodies {
		if err := get(cl, "http://"+child.pagematch+fmt.Sprintf("/p/%d.jpg", i)); err != nil {
			return nil, err
		}
	}
	var seq atomic.Uint64
	cached := func(i int) string { return fmt.Sprintf("/p/%d.jpg", i%c.pages) }
	scenarios := []struct {
		name     string
		conc, n  int
		path     func(i int) string
		targeted bool
	}{
		{"cache-hit", c.conc, c.requests, cached, true},
		{"cache-hit", 1, max(1, c.requests/3), cached, true},
		{"first-seen", c.firstConc, c.firstRequests, func(int) string {
			return fmt.Sprintf("/u/%d.jpg", seq.Add(1))
		}, false},
	}
	for _, sc := range scenarios {
		row := Row{Scenario: sc.name, Concurrency: sc.conc, RequestsPerRun: sc.n, BodyBytes: len(bodies[0])}
		var plainRuns, pmRuns []runStats
		if _, err := child.verdicts(); err != nil { // reset the counts
			return nil, err
		}
		if _, err := child.hold(); err != nil {
			return nil, err
		}
		for r := 0; r < c.rounds; r++ {
			if time.Since(start) > c.maxDuration {
				res.Truncated = true
				break
			}
			// Alternate which proxy goes first, so neither always runs on
			// a machine the other has just warmed.
			addrs := []string{child.plain, child.pagematch}
			if r%2 == 1 {
				addrs[0], addrs[1] = addrs[1], addrs[0]
			}
			for _, addr := range addrs {
				st, err := load(child, newClient(sc.conc), addr, sc.conc, sc.n, sc.path)
				if err != nil {
					return nil, err
				}
				row.Errors += st.errors
				if addr == child.plain {
					plainRuns = append(plainRuns, st)
				} else {
					pmRuns = append(pmRuns, st)
				}
			}
			p, q := plainRuns[r], pmRuns[r]
			log.Printf("%s round %d: plain %.0f req/s %.0f cpu-µs/req p99 %.0f µs | pagematch %.0f req/s %.0f cpu-µs/req p99 %.0f µs",
				sc.name, r, p.rps, p.cpuPerReq, us(p.p99), q.rps, q.cpuPerReq, us(q.p99))
		}
		if len(plainRuns) == 0 {
			break
		}
		v, err := child.verdicts()
		if err != nil {
			return nil, err
		}
		row.Verdicts = v
		hold, err := child.hold()
		if err != nil {
			return nil, err
		}
		row.HoldP50us, row.HoldP99us = hold[0], hold[1]
		summarize(&row, plainRuns, pmRuns)
		if sc.targeted {
			ok := row.CPUCost <= 0.05 && row.WallCost <= 0.05 && row.AddedP99us <= 200
			row.MeetsTargets = &ok
		}
		res.Rows = append(res.Rows, row)
	}
	res.Seconds = time.Since(start).Seconds()
	res.LoadAverage = loadAverage()
	return res, nil
}

func summarize(row *Row, plainRuns, pmRuns []runStats) {
	row.Rounds = len(plainRuns)
	row.PlainRPS = median(plainRuns, func(s runStats) float64 { return s.rps })
	row.PagematchRPS = median(pmRuns, func(s runStats) float64 { return s.rps })
	row.PlainCPUus = median(plainRuns, func(s runStats) float64 { return s.cpuPerReq })
	row.PagematchCPUus = median(pmRuns, func(s runStats) float64 { return s.cpuPerReq })
	row.PlainP50us = median(plainRuns, func(s runStats) float64 { return us(s.p50) })
	row.PlainP99us = median(plainRuns, func(s runStats) float64 { return us(s.p99) })
	row.PagematchP50us = median(pmRuns, func(s runStats) float64 { return us(s.p50) })
	row.PagematchP99us = median(pmRuns, func(s runStats) float64 { return us(s.p99) })
	var wall, cpu, addCPU, add50, add99 []float64
	for i := range plainRuns {
		p, q := plainRuns[i], pmRuns[i]
		wall = append(wall, 1-q.rps/p.rps)
		cpu = append(cpu, 1-p.cpuPerReq/q.cpuPerReq)
		addCPU = append(addCPU, q.cpuPerReq-p.cpuPerReq)
		add50 = append(add50, us(q.p50-p.p50))
		add99 = append(add99, us(q.p99-p.p99))
	}
	row.WallCost = medianOf(wall)
	row.CPUCost = medianOf(cpu)
	row.AddedCPUus = medianOf(addCPU)
	row.AddedP50us = medianOf(add50)
	row.AddedP99us = medianOf(add99)
}

// runStats is one run of one proxy.
type runStats struct {
	rps       float64
	cpuPerReq float64 // µs of proxy-process CPU
	p50, p99  time.Duration
	errors    int64
}

// load sends n requests from conc clients to the proxy at addr and times
// each.
func load(child *proxyChild, cl *http.Client, addr string, conc, n int, path func(int) string) (runStats, error) {
	lat := make([]time.Duration, n)
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	cpu0, err := child.cpu()
	if err != nil {
		return runStats{}, err
	}
	t0 := time.Now()
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				u := "http://" + addr + path(i)
				t := time.Now()
				if err := get(cl, u); err != nil {
					errs.Add(1)
				}
				lat[i] = time.Since(t)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(t0)
	cl.CloseIdleConnections()
	cpu1, err := child.cpu()
	if err != nil {
		return runStats{}, err
	}
	slices.Sort(lat)
	return runStats{
		rps: float64(n) / elapsed.Seconds(), cpuPerReq: us(cpu1-cpu0) / float64(n),
		p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), errors: errs.Load(),
	}, nil
}

func get(cl *http.Client, u string) error {
	resp, err := cl.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

// originHandler serves /p/N.jpg (page N) and /u/N.jpg (a page with a
// comment holding N: a body never seen before).
func originHandler(bodies [][]byte) http.Handler {
	serve := func(w http.ResponseWriter, body []byte, etag string) {
		h := w.Header()
		h.Set("Content-Type", "image/jpeg")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("Etag", etag)
		w.Write(body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/p/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimSuffix(r.PathValue("n"), ".jpg"))
		n = ((n % len(bodies)) + len(bodies)) % len(bodies)
		serve(w, bodies[n], `"p`+strconv.Itoa(n)+`"`)
	})
	mux.HandleFunc("/u/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.ParseUint(strings.TrimSuffix(r.PathValue("n"), ".jpg"), 10, 64)
		serve(w, uniqueJPEG(bodies[n%uint64(len(bodies))], n), `"u`+strconv.FormatUint(n, 10)+`"`)
	})
	return mux
}

// uniqueJPEG inserts a comment segment holding n after SOI.
func uniqueJPEG(body []byte, n uint64) []byte {
	out := make([]byte, 0, len(body)+12)
	out = append(out, body[:2]...)
	out = append(out, 0xff, 0xfe, 0, 10)
	out = binary.BigEndian.AppendUint64(out, n)
	return append(out, body[2:]...)
}

// proxyChild is the child process running the two proxies.
type proxyChild struct {
	cmd                       *exec.Cmd
	plain, pagematch, control string
	cl                        *http.Client
}

// startProxy starts this program with -role proxy and reads the addresses
// it listens on.
func startProxy(ctx context.Context, indexPath, origin string, c config) (*proxyChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "-role", "proxy", "-index", indexPath, "-origin", origin,
		"-conc", strconv.Itoa(c.conc), "-budget", c.budget.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proxyChild{cmd: cmd, cl: &http.Client{Timeout: 10 * time.Second}}
	line, err := bufio.NewReader(out).ReadString('\n')
	if _, serr := fmt.Sscanf(line, "ready %s %s %s", &p.plain, &p.pagematch, &p.control); err != nil || serr != nil {
		p.stop()
		return nil, fmt.Errorf("proxybench: proxy child: %q %v %v", line, err, serr)
	}
	return p, nil
}

func (p *proxyChild) stop() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// cpu returns the child's CPU time (user+system).
func (p *proxyChild) cpu() (time.Duration, error) {
	var d time.Duration
	err := p.control_("/cpu", &d)
	return d, err
}

// hold returns the p50 and p99 of the time spent in ModifyResponse, in
// µs, since the last call.
func (p *proxyChild) hold() ([2]float64, error) {
	var q [2]float64
	err := p.control_("/hold", &q)
	return q, err
}

// verdicts returns the verdict counts since the last call.
func (p *proxyChild) verdicts() (map[string]int64, error) {
	var v map[string]int64
	err := p.control_("/verdicts", &v)
	return v, err
}

func (p *proxyChild) control_(path string, v any) error {
	resp, err := p.cl.Get("http://" + p.control + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// proxyMain is the child: the plain and the pagematch proxy, and a
// control server reporting CPU time and verdicts.
func proxyMain(indexPath, origin string, c config) error {
	idx, err := index.Open(indexPath)
	if err != nil {
		return err
	}
	verdicts := &kindCounter{}
	m, err := match.New(idx, match.WithBudget(c.budget), match.WithOnVerdict(verdicts.add))
	if err != nil {
		return err
	}
	ou, err := url.Parse("http://" + origin)
	if err != nil {
		return err
	}
	plain, err := serve(newProxy(ou, nil, c.conc))
	if err != nil {
		return err
	}
	hold := &durations{}
	timed := func(resp *http.Response) error {
		t := time.Now()
		err := m.ModifyResponse(resp)
		hold.add(time.Since(t))
		return err
	}
	withPM, err := serve(newProxy(ou, timed, c.conc))
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/cpu", func(w http.ResponseWriter, r *http.Request) {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		d := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		json.NewEncoder(w).Encode(d)
	})
	mux.HandleFunc("/hold", func(w http.ResponseWriter, r *http.Request) {
		d := hold.take()
		json.NewEncoder(w).Encode([2]float64{us(quantile(d, 0.5)), us(quantile(d, 0.99))})
	})
	mux.HandleFunc("/verdicts", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(verdicts.take())
	})
	control, err := serve(mux)
	if err != nil {
		return err
	}
	fmt.Printf("ready %s %s %s\n", plain.Addr, withPM.Addr, control.Addr)
	select {} // until killed
}

func newProxy(target *url.URL, modify func(*http.Response) error, conc int) http.Handler {
	rp := httputil.NewSingleHostReverseProxy(target)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 4 * conc
	rp.Transport = tr
	rp.ErrorLog = log.New(io.Discard, "", 0)
	rp.ModifyResponse = modify
	return rp
}

func newClient(conc int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 2 * conc,
		DisableCompression:  true,
	}}
}

type server struct {
	*http.Server
	Addr string
}

// serve listens on a loopback port only.
func serve(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{Server: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, Addr: ln.Addr().String()}
	go s.Serve(ln)
	return s, nil
}

// durations collects timings.
type durations struct {
	mu sync.Mutex
	d  []time.Duration
}

func (d *durations) add(x time.Duration) {
	d.mu.Lock()
	d.d = append(d.d, x)
	d.mu.Unlock()
}

// take returns the timings, sorted, and starts again.
func (d *durations) take() []time.Duration {
	d.mu.Lock()
	out := d.d
	d.d = nil
	d.mu.Unlock()
	slices.Sort(out)
	return out
}

// kindCounter counts verdicts by kind.
type kindCounter struct {
	mu sync.Mutex
	n  map[string]int64
}

func (k *kindCounter) add(e match.Event) {
	name := e.Verdict.Kind.String()
	if e.Verdict.Cached {
		name += "(cached)"
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.n == nil {
		k.n = map[string]int64{}
	}
	k.n[name]++
}

// take returns the counts and starts again from zero.
func (k *kindCounter) take() map[string]int64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := k.n
	k.n = nil
	if out == nil {
		out = map[string]int64{}
	}
	return out
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

func median[T any](xs []T, f func(T) float64) float64 {
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = f(x)
	}
	return medianOf(v)
}

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
func us(d time.Duration) float64 { return float64(d) / 1e3 }

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return string(bytes.TrimSpace(b))
}

func printTable(w io.Writer, r *Result) {
	fmt.Fprintf(w, "\nproxybench: %d pages %s q%d, GOMAXPROCS %d, %s, %.0f s, load average at end %s\n", r.Pages, r.PageSize,
		r.JPEGQuality, r.GOMAXPROCS, r.GoVersion, r.Seconds, r.LoadAverage)
	fmt.Fprintf(w, "fingerprint, one core: p50 %.1f ms, p99 %.1f ms (bound: %.0f first-seen images/s on %d cores); budget %.0f ms\n\n",
		r.FingerprintMsP50, r.FingerprintMsP99, r.FingerprintBoundRPS, r.GOMAXPROCS, r.BudgetMs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tconc\tKB\tplain req/s\tpm req/s\twall cost\tplain cpu µs/req\tpm cpu µs/req\tadded cpu µs\tcpu cost\tplain p50 µs\tplain p99 µs\tadded p50 µs\tadded p99 µs\thold p50 µs\thold p99 µs\ttargets\t")
	for _, row := range r.Rows {
		target := "-"
		if row.MeetsTargets != nil {
			target = map[bool]string{true: "met", false: "MISSED"}[*row.MeetsTargets]
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.0f\t%.1f%%\t%.0f\t%.0f\t%.0f\t%.1f%%\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%s\t\n",
			row.Scenario, row.Concurrency, float64(row.BodyBytes)/1024, row.PlainRPS, row.PagematchRPS, 100*row.WallCost,
			row.PlainCPUus, row.PagematchCPUus, row.AddedCPUus, 100*row.CPUCost,
			row.PlainP50us, row.PlainP99us, row.AddedP50us, row.AddedP99us, row.HoldP50us, row.HoldP99us, target)
	}
	tw.Flush()
	for _, row := range r.Rows {
		fmt.Fprintf(w, "%s: %d rounds of %d requests per proxy; verdicts %v; errors %d\n",
			row.Scenario, row.Rounds, row.RequestsPerRun, row.Verdicts, row.Errors)
	}
	if r.Truncated {
		fmt.Fprintln(w, "truncated by -max-duration")
	}
}
