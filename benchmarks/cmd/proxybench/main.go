// Command proxybench measures what pagematch costs an httputil.ReverseProxy,
// over loopback only (127.0.0.1). The main process runs an origin serving
// synthetic manga pages as JPEGs and the load generator; two child
// processes (this program again, with -role proxy) each run one of two
// identical ReverseProxies in front of the origin, one plain and one with
// Matcher.ModifyResponse. Both time their ModifyResponse hook the same way
// (the plain proxy's does nothing), so the only difference between them
// is pagematch. (With both proxies in one process, an A/A run showed the
// second one created cheaper by several percent at one client.) Both
// child processes carry a Matcher and swap roles every two rounds (the
// parent tells each which to play), because two identical processes also
// differ: an A/A run with fixed roles read 5.7% at one client.
//
//	go run ./benchmarks/cmd/proxybench
//	go run ./benchmarks/cmd/proxybench -conc 8 -requests 150 -rounds 200 -json out.json
//	go run ./benchmarks/cmd/proxybench -aa    # calibration: pagematch off in both
//	go run ./benchmarks/cmd/proxybench -vs /tmp/old-proxybench   # this build's pagematch against another's
//	go run ./benchmarks/cmd/proxybench -policy header   # bodies held back and decided first
//
// The Matcher runs with the default policy, LogOnly, unless -policy says
// otherwise: under LogOnly bodies stream while a copy is kept and hashed;
// under header and block they are held back until decided.
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
// Each round runs the two proxies one after the other under the same load,
// in the order plain, pagematch, then pagematch, plain in the next round
// (ABBA), so that a drift in the machine's other load falls on both alike.
// Runs are short (150 requests, a tenth of a second; 50 with one client)
// and rounds many (200; 600 with one client, -rounds1, whose per-round
// ratios scatter most): other processes on a shared machine change the
// cost of everything within fractions of a second, and the two runs of a
// round see nearly the same machine. Each client keeps its connections from
// round to round. -aa runs the same measurement with pagematch off in
// both proxies: its figures are the noise floor.
//
// Figures: wall-clock throughput (requests/s), the proxy process's CPU
// time per request (the time on CPU of every thread of its process, read
// by the parent from /proc before and after each run, so that measuring
// costs the proxy nothing; one proxy is loaded at a time) and its read
// and write system calls (/proc/pid/io), the times its threads were
// scheduled in (/proc/pid/task/*/schedstat) and its minor page faults
// per request, and latency
// percentiles over all requests of all rounds. The added p99 is also
// estimated as the median over rounds, and over blocks of rounds, of the
// differences between the two proxies' p99s, each estimate with a
// bootstrap interval (see p99.go); -aa shows how far each strays between
// identical proxies. Throughput and CPU figures
// are medians over the rounds; the costs are the median of the per-round
// ratios, with their quartiles, and the ratio of the totals over all
// rounds. On a busy machine the wall-clock figures swing with other load
// while CPU per request moves less, so the throughput cost is given both
// ways; the CPU ratio is what a CPU-bound proxy would lose. The targets
// for cache hits are a throughput cost of at most 5% (CPU: median and all
// rounds; wall clock: median) and at most 200 µs of added p99 latency
// (judged on the median over rounds, see p99.go).
//
// The first-seen rows are bounded by the fingerprint: its single-core
// time is measured in the same run, and responses whose fingerprint
// misses the time budget pass with a timeout or busy verdict (counted).
// Verdicts are counted from the Matcher's own Prometheus metrics. The
// table goes to stderr, the JSON to stdout (or -json).
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
	"math/bits"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
	"github.com/pagematch/pagematch/match"
)

type config struct {
	pages, width, height, quality         int
	conc, requests, rounds, rounds1       int
	firstConc, firstRequests, firstRounds int
	budget                                time.Duration
	maxDuration                           time.Duration
	jsonPath                              string
	cpuProfile                            string
	aa                                    bool
	vs                                    string
	policy                                string
	bufferKiB                             int
}

// Row is one scenario's figures.
type Row struct {
	Scenario       string  `json:"scenario"`
	Concurrency    int     `json:"concurrency"`
	RequestsPerRun int     `json:"requests_per_run"`
	Rounds         int     `json:"rounds"`
	BodyBytes      int     `json:"body_bytes"`
	PlainRPS       float64 `json:"plain_rps"` // medians over the rounds
	PagematchRPS   float64 `json:"pagematch_rps"`
	// WallCost is 1 - pagematch/plain throughput, median of per-round ratios.
	WallCost float64 `json:"throughput_cost_wall"`
	// CPU time of the proxy process per request (user + system), medians
	// over the rounds, and the cost 1 - plain/pagematch: the median of the
	// per-round ratios with its quartiles, and the ratio of the totals.
	PlainCPUus     float64    `json:"plain_proxy_cpu_us_per_request"`
	PagematchCPUus float64    `json:"pagematch_proxy_cpu_us_per_request"`
	CPUCost        float64    `json:"throughput_cost_cpu"`
	CPUCostIQR     [2]float64 `json:"throughput_cost_cpu_quartiles"`
	CPUCostTotal   float64    `json:"throughput_cost_cpu_all_rounds"`
	// Added CPU per request, median of the per-round differences.
	AddedCPUus float64 `json:"added_cpu_us_per_request"`
	// Read and write system calls of the proxy process per request.
	PlainSyscalls     float64 `json:"plain_syscalls_per_request"`
	PagematchSyscalls float64 `json:"pagematch_syscalls_per_request"`
	// Times a thread of the proxy process was scheduled in (Linux:
	// /proc/pid/task/*/schedstat) and minor page faults, per request.
	PlainSwitches     float64 `json:"plain_switches_per_request,omitempty"`
	PagematchSwitches float64 `json:"pagematch_switches_per_request,omitempty"`
	PlainFaults       float64 `json:"plain_page_faults_per_request,omitempty"`
	PagematchFaults   float64 `json:"pagematch_page_faults_per_request,omitempty"`
	// Latency percentiles over every request of every round, and the
	// differences pagematch - plain.
	PlainP50us     float64 `json:"plain_p50_us"`
	PlainP99us     float64 `json:"plain_p99_us"`
	PagematchP50us float64 `json:"pagematch_p50_us"`
	PagematchP99us float64 `json:"pagematch_p99_us"`
	AddedP50us     float64 `json:"added_p50_us"`
	AddedP99us     float64 `json:"added_p99_us"`
	// The added p99 estimated three ways, each with its bootstrap 90%
	// interval (see p99.go): pooled (AddedP99us above), the median over
	// rounds of the per-round differences, and the median over blocks of
	// P99BlockRounds rounds.
	AddedP99PooledCI [2]float64 `json:"added_p99_pooled_interval_us"`
	AddedP99RoundsUs float64    `json:"added_p99_median_of_rounds_us"`
	AddedP99RoundsCI [2]float64 `json:"added_p99_median_of_rounds_interval_us"`
	AddedP99BlocksUs float64    `json:"added_p99_median_of_blocks_us"`
	AddedP99BlocksCI [2]float64 `json:"added_p99_median_of_blocks_interval_us"`
	P99BlockRounds   int        `json:"p99_block_rounds"`
	// Time spent in ModifyResponse: what each response waits before its
	// first byte can leave the proxy. Under header and block it holds the
	// body back (reading it, hashing, looking up, fingerprinting on a
	// miss); under log only it reads nothing, the body streams after it.
	// Over all pagematch runs.
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
	Truncated           bool    `json:"truncated"`                // -max-duration cut the run short
	Calibration         bool    `json:"calibration_aa,omitempty"` // -aa: no pagematch in either proxy
	Versus              string  `json:"versus,omitempty"`         // -vs: the "plain" proxy ran pagematch from this program
	Policy              string  `json:"policy"`
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
	flag.IntVar(&c.requests, "requests", 150, "requests per run, cache-hit scenario (a third of it with one client)")
	flag.IntVar(&c.rounds, "rounds", 200, "rounds of the cache-hit scenario with -conc clients (one plain and one pagematch run each)")
	flag.IntVar(&c.rounds1, "rounds1", 600, "rounds of the cache-hit scenario with one client")
	flag.IntVar(&c.firstConc, "first-conc", 2, "concurrent clients, first-seen scenario")
	flag.IntVar(&c.firstRequests, "first-requests", 60, "requests per run, first-seen scenario")
	flag.IntVar(&c.firstRounds, "first-rounds", 7, "rounds of the first-seen scenario")
	flag.DurationVar(&c.budget, "budget", match.DefaultBudget, "fingerprint time budget")
	flag.DurationVar(&c.maxDuration, "max-duration", 5*time.Minute, "start no round after this long")
	flag.StringVar(&c.jsonPath, "json", "", "write the JSON here instead of stdout")
	flag.StringVar(&c.policy, "policy", "log", "the Matcher's policy: log (the default), header or block")
	flag.IntVar(&c.bufferKiB, "buffer", 0, "give both proxies a ReverseProxy.BufferPool of buffers this many KiB long (0: ReverseProxy's own 32 KiB buffer per response)")
	flag.BoolVar(&c.aa, "aa", false, "calibration: the pagematch proxy runs without pagematch too, so that the figures show the measurement's own noise")
	flag.StringVar(&c.vs, "vs", "", "compare two builds of pagematch: the \"plain\" proxy runs this proxybench `program` (built from another version) with pagematch on, so the costs are of this build's pagematch against that one's")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write CPU profiles of the proxy processes during the cache-hit scenarios here (pagematch) and to this name + \".plain\"")
	pmRole := flag.Bool("pagematch", false, "the proxy with pagematch (proxy role)")
	flag.Parse()
	if *role == "proxy" {
		if err := proxyMain(*indexPath, *origin, c, *pmRole); err != nil {
			log.Fatal(err)
		}
		return
	}
	if c.pages < 1 || c.conc < 1 || c.requests < 1 || c.rounds < 1 || c.rounds1 < 1 || c.firstConc < 1 || c.firstRequests < 1 || c.firstRounds < 1 {
		log.Fatal("proxybench: counts must be positive")
	}
	if _, ok := parsePolicy(c.policy); !ok {
		log.Fatalf("proxybench: unknown policy %q", c.policy)
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
			b.Add(index.NewEntry(fmt.Sprintf("bench/%d", i), fp, nil))
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
	// The two processes swap roles every two rounds (swap), so that
	// whatever makes one process slower than the other (an A/A run showed
	// 5% at one client) falls on both roles alike. With -vs the "plain"
	// process is another build and keeps its role; with -cpuprofile the
	// roles stay put so that each profile is of one role.
	swap := c.vs == "" && c.cpuProfile == ""
	plain, err := startProxy(ctx, indexPath, origin.Addr, c, c.vs != "" || swap, c.vs)
	if err != nil {
		return nil, err
	}
	defer plain.stop()
	pm, err := startProxy(ctx, indexPath, origin.Addr, c, true, "")
	if err != nil {
		return nil, err
	}
	defer pm.stop()
	procs := [2]*proxyChild{plain, pm}

	res := &Result{
		BudgetMs: ms(c.budget), Pages: c.pages, PageSize: fmt.Sprintf("%dx%d", c.width, c.height),
		JPEGQuality: c.quality, GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(), Calibration: c.aa, Versus: c.vs,
		Policy: c.policy,
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

	// Warm the Matcher: every page once through the pagematch proxy, and
	// the plain proxy's connections likewise.
	cl := newClient(c.conc)
	for i := range bodies {
		for _, p := range []*proxyChild{pm, plain} {
			if err := get(cl, "http://"+p.addr+fmt.Sprintf("/p/%d.jpg", i)); err != nil {
				return nil, err
			}
		}
	}
	if swap {
		if err := plain.setRole(false); err != nil {
			return nil, err
		}
	}
	// roles returns the plain and the pagematch process of round r.
	roles := func(r int) (plain, pm *proxyChild) {
		if swap && r/2%2 == 1 {
			return procs[1], procs[0]
		}
		return procs[0], procs[1]
	}
	var seq atomic.Uint64
	cached := func(i int) string { return fmt.Sprintf("/p/%d.jpg", i%c.pages) }
	scenarios := []struct {
		name            string
		conc, n, rounds int
		path            func(i int) string
		targeted        bool
	}{
		{"cache-hit", c.conc, c.requests, c.rounds, cached, true},
		{"cache-hit", 1, max(1, c.requests/3), c.rounds1, cached, true},
		{"first-seen", c.firstConc, c.firstRequests, c.firstRounds, func(int) string {
			return fmt.Sprintf("/u/%d.jpg", seq.Add(1))
		}, false},
	}
	for i, sc := range scenarios {
		if c.cpuProfile != "" && i == 0 {
			for p, file := range map[*proxyChild]string{pm: c.cpuProfile, plain: c.cpuProfile + ".plain"} {
				if err := p.call("/profile/start?file="+url.QueryEscape(file), nil); err != nil {
					return nil, err
				}
			}
		}
		if c.cpuProfile != "" && !sc.targeted && scenarios[max(i-1, 0)].targeted {
			for _, p := range []*proxyChild{pm, plain} {
				if err := p.call("/profile/stop", nil); err != nil {
					return nil, err
				}
			}
		}
		row := Row{Scenario: sc.name, Concurrency: sc.conc, RequestsPerRun: sc.n, BodyBytes: len(bodies[0])}
		var plainRuns, pmRuns []runStats
		// One client per proxy, its connections kept from round to round.
		clients := map[*proxyChild]*http.Client{plain: newClient(sc.conc), pm: newClient(sc.conc)}
		for _, p := range procs { // reset the counts
			if _, err := p.verdicts(); err != nil {
				return nil, err
			}
			if _, err := p.hold(); err != nil {
				return nil, err
			}
		}
		for r := 0; r < sc.rounds; r++ {
			if time.Since(start) > c.maxDuration {
				res.Truncated = true
				break
			}
			plain, pm := roles(r)
			if swap && r%2 == 0 {
				if err := plain.setRole(false); err != nil {
					return nil, err
				}
				if err := pm.setRole(true); err != nil {
					return nil, err
				}
			}
			// Plain first in even rounds, pagematch first in odd ones.
			order := []*proxyChild{plain, pm}
			if r%2 == 1 {
				order[0], order[1] = order[1], order[0]
			}
			for _, p := range order {
				st, err := load(p, clients[p], sc.conc, sc.n, sc.path)
				if err != nil {
					return nil, err
				}
				row.Errors += st.errors
				if p == plain {
					plainRuns = append(plainRuns, st)
				} else {
					pmRuns = append(pmRuns, st)
				}
			}
			p, q := plainRuns[r], pmRuns[r]
			log.Printf("%s/%d round %d: plain %.0f req/s %.0f cpu-µs/req | pagematch %.0f req/s %.0f cpu-µs/req | added %+.1f µs",
				sc.name, sc.conc, r, p.rps, p.cpuPerReq(), q.rps, q.cpuPerReq(), q.cpuPerReq()-p.cpuPerReq())
		}
		for _, cl := range clients {
			cl.CloseIdleConnections()
		}
		if len(plainRuns) == 0 {
			break
		}
		var hold counts
		row.Verdicts = map[string]int64{}
		for _, p := range procs {
			v, err := p.verdicts()
			if err != nil {
				return nil, err
			}
			for k, n := range v {
				row.Verdicts[k] += n
			}
			h, err := p.hold()
			if err != nil {
				return nil, err
			}
			for i := range hold {
				hold[i] += h[i]
			}
		}
		row.HoldP50us, row.HoldP99us = us(hold.quantile(0.5)), us(hold.quantile(0.99))
		summarize(&row, plainRuns, pmRuns)
		if sc.targeted {
			// The added p99 judged is the median over rounds: of the
			// three estimates, the one whose -aa calibration runs were
			// tightest (README, issue 5); the others are shown beside it.
			ok := row.CPUCost <= 0.05 && row.CPUCostTotal <= 0.05 && row.WallCost <= 0.05 && row.AddedP99RoundsUs <= 200
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
	row.PlainCPUus = median(plainRuns, runStats.cpuPerReq)
	row.PagematchCPUus = median(pmRuns, runStats.cpuPerReq)
	row.PlainSyscalls = median(plainRuns, func(s runStats) float64 { return float64(s.syscalls) / float64(s.n) })
	row.PagematchSyscalls = median(pmRuns, func(s runStats) float64 { return float64(s.syscalls) / float64(s.n) })
	row.PlainSwitches = median(plainRuns, func(s runStats) float64 { return float64(s.switches) / float64(s.n) })
	row.PagematchSwitches = median(pmRuns, func(s runStats) float64 { return float64(s.switches) / float64(s.n) })
	row.PlainFaults = median(plainRuns, func(s runStats) float64 { return float64(s.faults) / float64(s.n) })
	row.PagematchFaults = median(pmRuns, func(s runStats) float64 { return float64(s.faults) / float64(s.n) })
	var wall, cpu, addCPU []float64
	var plainLat, pmLat []time.Duration
	var plainCPU, pmCPU time.Duration
	var plainN, pmN int
	for i := range plainRuns {
		p, q := plainRuns[i], pmRuns[i]
		wall = append(wall, 1-q.rps/p.rps)
		cpu = append(cpu, 1-p.cpuPerReq()/q.cpuPerReq())
		addCPU = append(addCPU, q.cpuPerReq()-p.cpuPerReq())
		plainLat, pmLat = append(plainLat, p.lat...), append(pmLat, q.lat...)
		plainCPU, pmCPU = plainCPU+p.cpu, pmCPU+q.cpu
		plainN, pmN = plainN+p.n, pmN+q.n
	}
	row.WallCost = medianOf(wall)
	row.CPUCost = medianOf(cpu)
	row.CPUCostIQR = [2]float64{quantileOf(cpu, 0.25), quantileOf(cpu, 0.75)}
	row.CPUCostTotal = 1 - (float64(plainCPU)/float64(plainN))/(float64(pmCPU)/float64(pmN))
	row.AddedCPUus = medianOf(addCPU)
	slices.Sort(plainLat)
	slices.Sort(pmLat)
	row.PlainP50us, row.PlainP99us = us(quantile(plainLat, 0.5)), us(quantile(plainLat, 0.99))
	row.PagematchP50us, row.PagematchP99us = us(quantile(pmLat, 0.5)), us(quantile(pmLat, 0.99))
	row.AddedP50us = row.PagematchP50us - row.PlainP50us
	row.AddedP99us = row.PagematchP99us - row.PlainP99us
	var pl, ql [][]time.Duration
	for i := range plainRuns {
		pl, ql = append(pl, plainRuns[i].lat), append(ql, pmRuns[i].lat)
	}
	e := estimateP99(pl, ql)
	row.AddedP99PooledCI = e.PooledCI
	row.AddedP99RoundsUs, row.AddedP99RoundsCI = e.Rounds, e.RoundsCI
	row.AddedP99BlocksUs, row.AddedP99BlocksCI = e.Blocks, e.BlocksCI
	row.P99BlockRounds = e.BlockRounds
}

// runStats is one run of one proxy.
type runStats struct {
	n        int
	rps      float64
	cpu      time.Duration // proxy-process CPU time
	syscalls int64         // proxy-process read and write system calls
	switches int64         // times its threads were scheduled in
	faults   int64         // its minor page faults
	lat      []time.Duration
	errors   int64
}

// cpuPerReq returns the proxy's CPU time per request, in µs.
func (s runStats) cpuPerReq() float64 { return us(s.cpu) / float64(s.n) }

// load sends n requests from conc clients to the proxy p and times each.
func load(p *proxyChild, cl *http.Client, conc, n int, path func(int) string) (runStats, error) {
	lat := make([]time.Duration, n)
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	st0, err := p.stats()
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
				u := "http://" + p.addr + path(i)
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
	st1, err := p.stats()
	if err != nil {
		return runStats{}, err
	}
	return runStats{
		n: n, rps: float64(n) / elapsed.Seconds(), cpu: st1.CPU - st0.CPU,
		syscalls: st1.Syscalls - st0.Syscalls, switches: st1.Switches - st0.Switches, faults: st1.Faults - st0.Faults,
		lat: lat, errors: errs.Load(),
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

// proxyChild is a child process running one proxy.
type proxyChild struct {
	cmd           *exec.Cmd
	addr, control string
	cl            *http.Client
}

// startProxy starts this program (or exe) with -role proxy, with
// pagematch or without, and reads the addresses it listens on.
func startProxy(ctx context.Context, indexPath, origin string, c config, pagematch bool, exe string) (*proxyChild, error) {
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	args := []string{"-role", "proxy", "-index", indexPath, "-origin", origin,
		"-conc", strconv.Itoa(c.conc), "-budget", c.budget.String(), "-aa=" + strconv.FormatBool(c.aa), "-policy", c.policy, "-pagematch=" + strconv.FormatBool(pagematch)}
	if c.bufferKiB > 0 {
		// Only when asked: a -vs build may predate the flag.
		args = append(args, "-buffer", strconv.Itoa(c.bufferKiB))
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stderr = os.Stderr
	dieWithParent(cmd)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proxyChild{cmd: cmd, cl: &http.Client{Timeout: 10 * time.Second}}
	line, err := bufio.NewReader(out).ReadString('\n')
	if _, serr := fmt.Sscanf(line, "ready %s %s", &p.addr, &p.control); err != nil || serr != nil {
		p.stop()
		return nil, fmt.Errorf("proxybench: proxy child: %q %v %v", line, err, serr)
	}
	return p, nil
}

func (p *proxyChild) stop() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// procStats is the proxy process's resource use so far.
type procStats struct {
	CPU      time.Duration
	Syscalls int64 // read and write system calls
	Switches int64 // times a thread was scheduled in (Linux only)
	Faults   int64 // minor page faults (Linux only)
}

// stats returns the child's resource use so far. On Linux it is read
// from /proc by this process (the time on CPU of every thread of the
// child, in nanoseconds), so that measuring costs the child nothing;
// elsewhere the child reports its getrusage.
func (p *proxyChild) stats() (procStats, error) {
	if cpu, switches, ok := threadsCPU(p.cmd.Process.Pid); ok {
		pid := strconv.Itoa(p.cmd.Process.Pid)
		return procStats{CPU: cpu, Syscalls: syscallCount(pid), Switches: switches, Faults: minorFaults(pid)}, nil
	}
	var st procStats
	err := p.call("/stats", &st)
	return st, err
}

// threadsCPU sums the time on CPU of pid's threads and the times they
// were scheduled in (/proc/pid/task/*/schedstat: ns on CPU, ns waiting,
// timeslices).
func threadsCPU(pid int) (cpu time.Duration, switches int64, ok bool) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, false
	}
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, t.Name(), "schedstat"))
		if err != nil {
			continue // a thread that just exited
		}
		f := strings.Fields(string(b))
		if len(f) < 3 {
			return 0, 0, false
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, false
		}
		n, _ := strconv.ParseInt(f[2], 10, 64)
		sum += ns
		switches += n
	}
	return time.Duration(sum), switches, true
}

// minorFaults returns the minor page faults of process pid so far
// (/proc/pid/stat), or 0.
func minorFaults(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command name, which ends with the last ')':
	// state ppid pgrp session tty_nr tpgid flags minflt ...
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 8 {
		return 0
	}
	n, _ := strconv.ParseInt(f[7], 10, 64)
	return n
}

// hold returns the p50 and p99 of the time the pagematch proxy spent in
// ModifyResponse, in µs, since the last call.
func (p *proxyChild) hold() (counts, error) {
	var q counts
	err := p.call("/hold", &q)
	return q, err
}

// setRole makes the process the pagematch proxy or the plain one.
func (p *proxyChild) setRole(pagematch bool) error {
	return p.call("/mode?pagematch="+strconv.FormatBool(pagematch), nil)
}

// verdicts returns the verdict counts since the last call.
func (p *proxyChild) verdicts() (map[string]int64, error) {
	var v map[string]int64
	err := p.call("/verdicts", &v)
	return v, err
}

func (p *proxyChild) call(path string, v any) error {
	resp, err := p.cl.Get("http://" + p.control + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("proxybench: control %s: %s: %s", path, resp.Status, b)
	}
	if v == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// proxyMain is a child: the plain or the pagematch proxy, and a control
// server reporting resource use, hold times and verdicts.
func proxyMain(indexPath, origin string, c config, pagematch bool) error {
	ou, err := url.Parse("http://" + origin)
	if err != nil {
		return err
	}
	// Both proxies time their hook alike; the plain one's does nothing.
	// on says which role the process plays (the parent swaps the roles
	// between rounds, see run).
	var on atomic.Bool
	on.Store(pagematch)
	hook := func(*http.Response) error { return nil }
	reg := prometheus.NewRegistry()
	if pagematch && !c.aa {
		idx, err := index.Open(indexPath)
		if err != nil {
			return err
		}
		// The Matcher as a deployment would run it: metrics registered,
		// the default (discarding) logger, no hook.
		policy, _ := parsePolicy(c.policy)
		m, err := match.New(idx, match.WithBudget(c.budget), match.WithRegisterer(reg), match.WithPolicy(policy))
		if err != nil {
			return err
		}
		hook = func(resp *http.Response) error {
			if on.Load() {
				return m.ModifyResponse(resp)
			}
			return nil
		}
	}
	var hold histogram
	proxy, err := serve(newProxy(ou, hold.timed(hook, &on), c.conc, c.bufferKiB))
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		json.NewEncoder(w).Encode(procStats{
			CPU: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), Syscalls: syscallCount("self"),
		})
	})
	mux.HandleFunc("/hold", func(w http.ResponseWriter, r *http.Request) {
		d := hold.take()
		json.NewEncoder(w).Encode(&d)
	})
	mux.HandleFunc("/mode", func(w http.ResponseWriter, r *http.Request) {
		on.Store(r.FormValue("pagematch") == "true")
	})
	var last map[string]int64
	mux.HandleFunc("/verdicts", func(w http.ResponseWriter, r *http.Request) {
		now, err := verdictCounts(reg)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		diff := map[string]int64{}
		for k, v := range now {
			if v -= last[k]; v != 0 {
				diff[k] = v
			}
		}
		last = now
		json.NewEncoder(w).Encode(diff)
	})
	var prof *os.File
	mux.HandleFunc("/profile/start", func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Create(r.FormValue("file"))
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		prof = f
	})
	mux.HandleFunc("/profile/stop", func(w http.ResponseWriter, r *http.Request) {
		pprof.StopCPUProfile()
		if prof != nil {
			prof.Close()
		}
	})
	control, err := serve(mux)
	if err != nil {
		return err
	}
	fmt.Printf("ready %s %s\n", proxy.Addr, control.Addr)
	select {} // until killed
}

// parsePolicy returns the policy named by -policy.
func parsePolicy(s string) (match.Policy, bool) {
	for _, p := range []match.Policy{match.LogOnly, match.AddHeader, match.Block} {
		if p.String() == s {
			return p, true
		}
	}
	return 0, false
}

// verdictCounts reads the Matcher's verdict and cache-hit counters.
func verdictCounts(g prometheus.Gatherer) (map[string]int64, error) {
	mfs, err := g.Gather()
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			switch mf.GetName() {
			case "pagematch_verdicts_total":
				for _, l := range mt.GetLabel() {
					if l.GetName() == "kind" {
						out[l.GetValue()] = int64(mt.GetCounter().GetValue())
					}
				}
			case "pagematch_cache_hits_total":
				out["cache hits"] = int64(mt.GetCounter().GetValue())
			}
		}
	}
	return out, nil
}

// syscallCount returns the read and write system calls of process pid
// ("self" for this one) so far (syscr + syscw in /proc/pid/io), or 0
// where there is none.
func syscallCount(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/io")
	if err != nil {
		return 0
	}
	var n int64
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		if k == "syscr" || k == "syscw" {
			x, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			n += x
		}
	}
	return n
}

func newProxy(target *url.URL, modify func(*http.Response) error, conc, bufferKiB int) http.Handler {
	rp := httputil.NewSingleHostReverseProxy(target)
	if bufferKiB > 0 {
		rp.BufferPool = match.NewBufferPool(bufferKiB << 10)
	}
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

// histogram counts durations in buckets 1/32 of a power of two wide,
// with one atomic add: cheap enough to time every response of both
// proxies alike.
type histogram struct {
	n [64 * 32]atomic.Int64
}

func bucketOf(d time.Duration) int {
	x := uint64(max(d, 0))
	if x < 32 {
		return int(x)
	}
	e := bits.Len64(x) - 6 // x>>e is in [32, 64)
	return (e+1)*32 + int(x>>e) - 32
}

// bucketValue is the smallest duration in bucket i.
func bucketValue(i int) time.Duration {
	if i < 32 {
		return time.Duration(i)
	}
	e := i/32 - 1
	return time.Duration(uint64(32+i%32) << e)
}

// timed wraps a ModifyResponse hook to count the time it takes while the
// process plays the pagematch role (on).
func (h *histogram) timed(f func(*http.Response) error, on *atomic.Bool) func(*http.Response) error {
	return func(resp *http.Response) error {
		t := time.Now()
		err := f(resp)
		if d := time.Since(t); on.Load() {
			h.n[bucketOf(d)].Add(1)
		}
		return err
	}
}

// take returns the counts and starts again from zero.
func (h *histogram) take() counts {
	var c counts
	for i := range h.n {
		c[i] = h.n[i].Swap(0)
	}
	return c
}

type counts [64 * 32]int64

func (c *counts) quantile(q float64) time.Duration {
	var total int64
	for _, n := range c {
		total += n
	}
	rank := int64(q * float64(total))
	for i, n := range c {
		if rank -= n; rank < 0 {
			return bucketValue(i)
		}
	}
	return 0
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// quantileOf returns the q-quantile of v (nearest rank).
func quantileOf(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	return v[min(len(v)-1, int(q*float64(len(v))))]
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
	fmt.Fprintf(w, "\nproxybench: %d pages %s q%d, policy %s, GOMAXPROCS %d, %s, %.0f s, load average at end %s\n", r.Pages, r.PageSize,
		r.JPEGQuality, r.Policy, r.GOMAXPROCS, r.GoVersion, r.Seconds, r.LoadAverage)
	fmt.Fprintf(w, "fingerprint, one core: p50 %.1f ms, p99 %.1f ms (bound: %.0f first-seen images/s on %d cores); budget %.0f ms\n\n",
		r.FingerprintMsP50, r.FingerprintMsP99, r.FingerprintBoundRPS, r.GOMAXPROCS, r.BudgetMs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tconc\tKB\tplain req/s\tpm req/s\twall cost\tplain cpu µs/req\tpm cpu µs/req\tadded cpu µs\tcpu cost [quartiles]\tcpu cost, all rounds\tsyscalls/req plain, pm\tswitches/req plain, pm\tfaults/req plain, pm\tplain p50, p99 µs\tadded p50, p99 (pooled) µs\thold p50, p99 µs\ttargets\t")
	for _, row := range r.Rows {
		target := "-"
		if row.MeetsTargets != nil {
			target = map[bool]string{true: "met", false: "MISSED"}[*row.MeetsTargets]
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.0f\t%.1f%%\t%.0f\t%.0f\t%+.1f\t%.1f%% [%.1f, %.1f]\t%.1f%%\t%.1f, %.1f\t%.1f, %.1f\t%.2f, %.2f\t%.0f, %.0f\t%+.0f, %+.0f\t%.0f, %.0f\t%s\t\n",
			row.Scenario, row.Concurrency, float64(row.BodyBytes)/1024, row.PlainRPS, row.PagematchRPS, 100*row.WallCost,
			row.PlainCPUus, row.PagematchCPUus, row.AddedCPUus,
			100*row.CPUCost, 100*row.CPUCostIQR[0], 100*row.CPUCostIQR[1], 100*row.CPUCostTotal,
			row.PlainSyscalls, row.PagematchSyscalls, row.PlainSwitches, row.PagematchSwitches, row.PlainFaults, row.PagematchFaults, row.PlainP50us, row.PlainP99us, row.AddedP50us, row.AddedP99us,
			row.HoldP50us, row.HoldP99us, target)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nadded p99 latency, µs, three estimators with bootstrap 90% intervals (resampling ABBA pairs of rounds):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tconc\tpooled [interval]\tmedian of rounds [interval]\tmedian of blocks [interval]\trounds per block\t")
	for _, row := range r.Rows {
		fmt.Fprintf(tw, "%s\t%d\t%+.0f [%+.0f, %+.0f]\t%+.0f [%+.0f, %+.0f]\t%+.0f [%+.0f, %+.0f]\t%d\t\n", row.Scenario, row.Concurrency,
			row.AddedP99us, row.AddedP99PooledCI[0], row.AddedP99PooledCI[1],
			row.AddedP99RoundsUs, row.AddedP99RoundsCI[0], row.AddedP99RoundsCI[1],
			row.AddedP99BlocksUs, row.AddedP99BlocksCI[0], row.AddedP99BlocksCI[1], row.P99BlockRounds)
	}
	tw.Flush()
	for _, row := range r.Rows {
		fmt.Fprintf(w, "%s: %d rounds of %d requests per proxy; verdicts %v; errors %d\n",
			row.Scenario, row.Rounds, row.RequestsPerRun, row.Verdicts, row.Errors)
	}
	if r.Calibration {
		fmt.Fprintln(w, "calibration (-aa): the \"pagematch\" proxy ran without pagematch; every difference above is noise")
	}
	if r.Versus != "" {
		fmt.Fprintf(w, "versus (-vs): the \"plain\" proxy ran pagematch as built in %s; every difference above is this build's against that one\n", r.Versus)
	}
	if r.Truncated {
		fmt.Fprintln(w, "truncated by -max-duration")
	}
}
