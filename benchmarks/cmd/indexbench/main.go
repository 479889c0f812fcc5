// Command indexbench measures the reference index at scale and prints one
// JSON object on stdout (progress goes to stderr).
//
//	go run ./benchmarks/cmd/indexbench -n 1000000
//
// The data imitates a publisher catalogue: series of 1–20 volumes of
// 180–220 pages, IDs such as publisher-03/series-0042/vol-07/p-0123.jpg.
// The pages of a series are its base hash with -flip-min..-flip-max random
// bit flips, so two pages of one series lie about 70–105 bits apart (as
// real pages of one series do with this hash family). 3% of the pages are
// nearly blank (quality below fingerprint.MinQuality).
//
// Half the queries are planted near-duplicates (an entry's hash with
// 0..threshold flips); the other half are misses, half fresh random
// hashes and half drawn like a page of an existing series. A query is one
// Lookup of a fingerprint with a single variant; the lookup2_* fields time
// a fingerprint with two variants (the page and its mirror).
//
// recall_vs_linear compares Lookup with a linear scan over a sample of the
// queries in the same run; linear_query_p50_us is that scan's median time.
//
// Every view (the page and, with -regions, each half) also carries a
// detail hash (index.Entry.Detail, Region.Detail), random for every page,
// so that fingerprint_bytes is 64 per view: 32 of hash and 32 of detail.
// A planted query's details are its entry's with 0..-detail-flips bits
// flipped (a copy's detail stays near); a miss's are random. Lookup
// confirms each hit by the detail at -detail-threshold, and the linear
// scan applies the same rule. -details=false drops the details (the index
// of format versions 1 and 2) for a comparison in the same binary.
//
// With -regions every entry also stores a top and a bottom half
// (index.Entry.Regions, drawn per series like the pages), so
// fingerprint_bytes is 192 (96 without details); a query is then the page
// and both halves (three searches, as fingerprint.WithRegions gives), and
// lookup2_* adds the three mirrors.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
)

type result struct {
	N                       int     `json:"n"`
	FingerprintBytes        int     `json:"fingerprint_bytes"`
	BuildSeconds            float64 `json:"build_seconds"`
	FileBytes               int64   `json:"file_bytes"`
	FileBytesPerEntry       float64 `json:"file_bytes_per_entry"`
	LoadSeconds             float64 `json:"load_seconds"`
	HeapBytesPerEntry       float64 `json:"heap_bytes_per_entry"`
	QueryP50us              float64 `json:"query_p50_us"`
	QueryP99us              float64 `json:"query_p99_us"`
	QueriesPerSecondPerCore float64 `json:"queries_per_second_per_core"`
	RecallVsLinear          float64 `json:"recall_vs_linear"`
	LinearQueryP50us        float64 `json:"linear_query_p50_us"`

	Threshold       int     `json:"threshold"`
	Substrings      int     `json:"substrings"`
	Queries         int     `json:"queries"`
	LinearSample    int     `json:"linear_sample"`
	ExactVsLinear   bool    `json:"exact_vs_linear"`
	PlantedFound    float64 `json:"planted_found"`
	HitQueryP50us   float64 `json:"hit_query_p50_us"`
	MissQueryP50us  float64 `json:"miss_query_p50_us"`
	MissQueryP99us  float64 `json:"miss_query_p99_us"`
	Lookup2P50us    float64 `json:"lookup2_p50_us"`
	Lookup2P99us    float64 `json:"lookup2_p99_us"`
	Lookup2QPS      float64 `json:"lookup2_queries_per_second_per_core"`
	HeapHashBytes   float64 `json:"heap_hash_bytes_per_entry"`
	HeapTableBytes  float64 `json:"heap_table_bytes_per_entry"`
	HeapIDBytes     float64 `json:"heap_id_bytes_per_entry"`
	HeapRegionBytes float64 `json:"heap_region_bytes_per_entry"`
	HeapDetailBytes float64 `json:"heap_detail_bytes_per_entry"`
	Regions         bool    `json:"regions"`
	Details         bool    `json:"details"`
	DetailThreshold int     `json:"detail_threshold"`
	DetailFlips     int     `json:"detail_flips"`
	FlipMin         int     `json:"flip_min"`
	FlipMax         int     `json:"flip_max"`
	GOAMD64         string  `json:"goamd64"`
	GoVersion       string  `json:"go_version"`
}

func main() {
	n := flag.Int("n", 1_000_000, "entries")
	threshold := flag.Int("threshold", fingerprint.DefaultThreshold, "Hamming radius of the lookups")
	queries := flag.Int("queries", 20000, "timed queries (half planted, half misses)")
	linearSample := flag.Int("linear", 0, "queries checked against a linear scan (0: 4e9/n, at least 100)")
	substrings := flag.Int("m", 0, "multi-index substrings (0: automatic)")
	flipMin := flag.Int("flip-min", 40, "fewest bits a page differs from its series base")
	flipMax := flag.Int("flip-max", 70, "most bits a page differs from its series base")
	seed := flag.Uint64("seed", 1, "random seed")
	dir := flag.String("dir", "", "directory for the index file (default: a temporary one)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed queries to this file")
	flag.BoolVar(&withRegions, "regions", false, "entries also store their top and bottom halves, and queries look them up")
	flag.BoolVar(&withDetails, "details", true, "every view carries a detail hash, and lookups confirm hits with it")
	flag.IntVar(&detailThreshold, "detail-threshold", fingerprint.DefaultDetailThreshold, "detail threshold of the lookups (negative: no check)")
	flag.IntVar(&detailFlips, "detail-flips", 40, "most bits a planted query's detail differs from its entry's")
	flag.Parse()
	profilePath = *cpuprofile
	if err := run(*n, *threshold, *queries, *linearSample, *substrings, *flipMin, *flipMax, *seed, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "indexbench:", err)
		os.Exit(1)
	}
}

// profilePath is where the timed queries' CPU profile goes ("": none).
var profilePath string

// withRegions is -regions.
var withRegions bool

// withDetails, detailThreshold and detailFlips are -details,
// -detail-threshold and -detail-flips.
var (
	withDetails     bool
	detailThreshold int
	detailFlips     int
)

// lookupOpts are the options of every timed and checked Lookup.
func lookupOpts(threshold int) []index.LookupOption {
	return []index.LookupOption{index.WithThreshold(threshold), index.WithDetailThreshold(detailThreshold)}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "indexbench: "+format+"\n", args...)
}

func run(n, threshold, nq, nlin, m, flipMin, flipMax int, seed uint64, dir string) error {
	res := result{N: n, FingerprintBytes: 32, Regions: withRegions, Threshold: threshold, Queries: nq, FlipMin: flipMin, FlipMax: flipMax, GoVersion: runtime.Version(), GOAMD64: goamd64(),
		Details: withDetails}
	if withDetails {
		res.FingerprintBytes = 64 // hash and detail
		res.DetailThreshold, res.DetailFlips = detailThreshold, detailFlips
	}
	if withRegions {
		res.FingerprintBytes *= 3 // the page and its two halves
	}
	t0 := time.Now()
	cat := generate(n, flipMin, flipMax, seed)
	logf("generated %d entries in %.1fs", n, time.Since(t0).Seconds())

	if dir == "" {
		d, err := os.MkdirTemp("", "indexbench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	path := filepath.Join(dir, "bench.pmx")
	t0 = time.Now()
	b := index.NewBuilder()
	for i := 0; i < n; i++ {
		e := index.Entry{ID: cat.id(i), Hash: cat.hashes[i], Quality: cat.quality[i], Detail: cat.detail(viewPage, i)}
		if withRegions {
			e.Regions = []index.Region{
				{Kind: fingerprint.VariantTop, Hash: cat.top[i], Quality: cat.quality[i], Detail: cat.detail(viewTop, i)},
				{Kind: fingerprint.VariantBottom, Hash: cat.bottom[i], Quality: cat.quality[i], Detail: cat.detail(viewBottom, i)},
			}
		}
		if err := b.Add(e); err != nil {
			return err
		}
	}
	if err := b.Save(path); err != nil {
		return err
	}
	res.BuildSeconds = time.Since(t0).Seconds()
	b = nil
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	res.FileBytes = st.Size()
	res.FileBytesPerEntry = float64(st.Size()) / float64(n)
	logf("built in %.1fs, %.2f bytes/entry", res.BuildSeconds, res.FileBytesPerEntry)

	rng := rand.New(rand.NewPCG(seed, 2))
	// Details come from a stream of their own, so that the hashes are
	// the same with and without -details.
	qs := makeQueries(cat, rng, rand.New(rand.NewPCG(seed, 3)), nq, threshold, flipMin, flipMax)
	lopts := lookupOpts(threshold)

	before := liveHeap()
	t0 = time.Now()
	var opts []index.Option
	if m > 0 {
		opts = append(opts, index.WithSubstrings(m))
	}
	ix, err := index.Open(path, opts...)
	if err != nil {
		return err
	}
	res.LoadSeconds = time.Since(t0).Seconds()
	after := liveHeap()
	res.HeapBytesPerEntry = float64(after-before) / float64(n)
	s := ix.Stats()
	res.Substrings = s.Substrings
	res.HeapHashBytes = float64(s.HashBytes+s.QualityBytes) / float64(n)
	res.HeapTableBytes = float64(s.TableBytes) / float64(n)
	res.HeapIDBytes = float64(s.IDBytes+s.MetaBytes) / float64(n)
	res.HeapRegionBytes = float64(s.RegionBytes) / float64(n)
	res.HeapDetailBytes = float64(s.DetailBytes) / float64(n)
	if ix.Details() != withDetails {
		return fmt.Errorf("index says details %v, want %v", ix.Details(), withDetails)
	}
	logf("loaded in %.2fs, %.1f heap bytes/entry, %s", res.LoadSeconds, res.HeapBytesPerEntry, anonHuge())

	// Warm up (plans, caches), then time each query, then the throughput.
	for i := 0; i < min(len(qs), 2000); i++ {
		ix.Lookup(&qs[i].fp, lopts...)
	}
	if profilePath != "" {
		f, err := os.Create(profilePath)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer f.Close()
	}
	lat := make([]time.Duration, len(qs))
	var hitLat, missLat []time.Duration
	found, planted := 0, 0
	for i := range qs {
		q := &qs[i]
		t := time.Now()
		ms := ix.Lookup(&q.fp, lopts...)
		lat[i] = time.Since(t)
		if q.planted >= 0 {
			hitLat = append(hitLat, lat[i])
			planted++
			if slices.ContainsFunc(ms, func(m index.Match) bool { return m.ID == cat.id(q.planted) }) {
				found++
			}
		} else {
			missLat = append(missLat, lat[i])
		}
	}
	res.QueryP50us, res.QueryP99us = pct(lat, 50), pct(lat, 99)
	res.HitQueryP50us = pct(hitLat, 50)
	res.MissQueryP50us, res.MissQueryP99us = pct(missLat, 50), pct(missLat, 99)
	res.PlantedFound = float64(found) / float64(max(planted, 1))
	res.QueriesPerSecondPerCore = throughput(len(qs), func(i int) { ix.Lookup(&qs[i].fp, lopts...) })

	lat2 := make([]time.Duration, len(qs))
	for i := range qs {
		t := time.Now()
		ix.Lookup(&qs[i].fp2, lopts...)
		lat2[i] = time.Since(t)
	}
	res.Lookup2P50us, res.Lookup2P99us = pct(lat2, 50), pct(lat2, 99)
	res.Lookup2QPS = throughput(len(qs), func(i int) { ix.Lookup(&qs[i].fp2, lopts...) })
	pprof.StopCPUProfile()
	logf("queries: p50 %.1fµs p99 %.1fµs, %.0f/s", res.QueryP50us, res.QueryP99us, res.QueriesPerSecondPerCore)

	// Recall against a linear scan over the generated hashes.
	if nlin <= 0 {
		nlin = max(100, min(len(qs), int(4e9/float64(n)))) // 4e9 entries scanned: ~10–20 s
	}
	nlin = min(nlin, len(qs))
	res.LinearSample = nlin
	linLat := make([]time.Duration, 0, nlin)
	truth, got := 0, 0
	res.ExactVsLinear = true
	for k := 0; k < nlin; k++ {
		q := &qs[k*len(qs)/nlin]
		t := time.Now()
		want := cat.linear(&q.fp, threshold)
		linLat = append(linLat, time.Since(t))
		ms := ix.Lookup(&q.fp, lopts...)
		ids := make(map[string]int, len(ms))
		for _, m := range ms {
			ids[m.ID] = m.Distance
		}
		truth += len(want)
		for _, w := range want {
			if d, ok := ids[cat.id(w.i)]; ok && d == w.d {
				got++
			}
		}
		if len(ms) != len(want) {
			res.ExactVsLinear = false
		}
	}
	res.RecallVsLinear = 1
	if truth > 0 {
		res.RecallVsLinear = float64(got) / float64(truth)
	}
	if got != truth {
		res.ExactVsLinear = false
	}
	res.LinearQueryP50us = pct(linLat, 50)
	runtime.KeepAlive(ix)

	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(res)
}

// throughput runs f over 0..n-1 on one goroutine and returns calls per
// second.
func throughput(n int, f func(int)) float64 {
	t := time.Now()
	for i := 0; i < n; i++ {
		f(i)
	}
	return float64(n) / time.Since(t).Seconds()
}

func pct(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := min(int(float64(len(s))*p/100), len(s)-1)
	return float64(s[i].Nanoseconds()) / 1e3
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// anonHuge reports the process's transparent huge pages (Linux only).
func anonHuge() string {
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		return "huge pages unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "AnonHugePages:") {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return "no AnonHugePages line"
}

func goamd64() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOAMD64" {
				return s.Value
			}
		}
	}
	return "v1"
}

// catalogue is the generated data: hashes and what the IDs are made of.
type catalogue struct {
	hashes  []fingerprint.Hash
	details [3][]fingerprint.Hash // per view (viewPage...); nil without -details or the view
	top     []fingerprint.Hash    // -regions only
	bottom  []fingerprint.Hash
	quality []uint8
	series  []uint32
	vol     []uint8
	page    []uint16
	bases   []fingerprint.Hash // per series
	// per series, -regions only
	topBases, bottomBases []fingerprint.Hash
}

// Views of a page, as indexes of catalogue.details.
const (
	viewPage = iota
	viewTop
	viewBottom
)

// detail returns page i's detail hash of view v (zero if not drawn).
func (c *catalogue) detail(v, i int) fingerprint.Hash {
	if c.details[v] == nil {
		return fingerprint.Hash{}
	}
	return c.details[v][i]
}

func (c *catalogue) id(i int) string {
	s := c.series[i]
	return fmt.Sprintf("publisher-%02d/series-%04d/vol-%02d/p-%04d.jpg", s%20, s/20, c.vol[i], c.page[i])
}

type linHit struct{ i, d int }

// linear scans every hash, keeping matchable entries within r of a
// variant of fp (each compared with the view it targets) whose detail
// confirms the hit (fingerprint.DetailMatch at detailThreshold), at their
// least distance.
func (c *catalogue) linear(fp *fingerprint.Fingerprint, r int) []linHit {
	var out []linHit
	for i := range c.hashes {
		if c.quality[i] < fingerprint.MinQuality {
			continue
		}
		best := r + 1
		for _, v := range fp.Variants {
			h, view := &c.hashes[i], viewPage
			switch v.Kind.Target() {
			case fingerprint.VariantTop:
				h, view = &c.top[i], viewTop
			case fingerprint.VariantBottom:
				h, view = &c.bottom[i], viewBottom
			}
			d := v.Hash.Distance(*h)
			if d < best && (detailThreshold < 0 || fingerprint.DetailMatch(v.Detail, c.detail(view, i), detailThreshold)) {
				best = d
			}
		}
		if best <= r {
			out = append(out, linHit{i, best})
		}
	}
	return out
}

// flipBits flips k distinct random bits of h.
func flipBits(rng *rand.Rand, h fingerprint.Hash, k int) fingerprint.Hash {
	var mask fingerprint.Hash
	for c := 0; c < k; {
		b := rng.IntN(256)
		if mask[b>>6]&(1<<(b&63)) == 0 {
			mask[b>>6] |= 1 << (b & 63)
			c++
		}
	}
	for w := range h {
		h[w] ^= mask[w]
	}
	return h
}

func randHash(rng *rand.Rand) fingerprint.Hash {
	return fingerprint.Hash{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
}

// generate lays out series, volumes and pages, then draws the hashes of
// each series in parallel from a per-series random stream.
func generate(n, flipMin, flipMax int, seed uint64) *catalogue {
	c := &catalogue{
		hashes: make([]fingerprint.Hash, n), quality: make([]uint8, n),
		series: make([]uint32, n), vol: make([]uint8, n), page: make([]uint16, n),
	}
	if withRegions {
		c.top, c.bottom = make([]fingerprint.Hash, n), make([]fingerprint.Hash, n)
	}
	views := 0
	if withDetails {
		views = 1
		if withRegions {
			views = 3
		}
	}
	for v := range views {
		c.details[v] = make([]fingerprint.Hash, n)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	var starts []int
	for i, s := 0, 0; i < n; s++ {
		starts = append(starts, i)
		c.bases = append(c.bases, randHash(rng))
		if withRegions {
			c.topBases = append(c.topBases, randHash(rng))
			c.bottomBases = append(c.bottomBases, randHash(rng))
		}
		vols := 1 + rng.IntN(20)
		for v := 1; v <= vols && i < n; v++ {
			pages := 180 + rng.IntN(41)
			for p := 1; p <= pages && i < n; p++ {
				c.series[i], c.vol[i], c.page[i] = uint32(s), uint8(v), uint16(p)
				i++
			}
		}
	}
	starts = append(starts, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := w; s < len(starts)-1; s += workers {
				rng := rand.New(rand.NewPCG(seed, 1000+uint64(s)))
				// Details from a stream of their own: the hashes stay
				// those of -details=false.
				drng := rand.New(rand.NewPCG(seed, 1<<40+uint64(s)))
				for i := starts[s]; i < starts[s+1]; i++ {
					for v := range views {
						c.details[v][i] = randHash(drng)
					}
					c.hashes[i] = flipBits(rng, c.bases[s], flipMin+rng.IntN(flipMax-flipMin+1))
					if withRegions {
						c.top[i] = flipBits(rng, c.topBases[s], flipMin+rng.IntN(flipMax-flipMin+1))
						c.bottom[i] = flipBits(rng, c.bottomBases[s], flipMin+rng.IntN(flipMax-flipMin+1))
					}
					if rng.IntN(100) < 3 {
						c.quality[i] = uint8(rng.IntN(fingerprint.MinQuality))
					} else {
						c.quality[i] = uint8(fingerprint.MinQuality + rng.IntN(101-fingerprint.MinQuality))
					}
				}
			}
		}()
	}
	wg.Wait()
	return c
}

type query struct {
	fp, fp2 fingerprint.Fingerprint
	planted int // entry the query was planted near, or -1
}

// makeQueries draws the queries' hashes from rng and their details (if
// the catalogue has them) from drng.
func makeQueries(c *catalogue, rng, drng *rand.Rand, nq, threshold, flipMin, flipMax int) []query {
	qs := make([]query, nq)
	n := len(c.hashes)
	// detail draws a query view's detail: near entry j's (-1: a random
	// one, a different page's).
	detail := func(view, j int) fingerprint.Hash {
		switch {
		case c.details[view] == nil:
			return fingerprint.Hash{}
		case j < 0:
			return randHash(drng)
		}
		return flipBits(drng, c.details[view][j], drng.IntN(detailFlips+1))
	}
	for i := range qs {
		q := &qs[i]
		var h, top, bottom fingerprint.Hash
		q.planted = -1
		switch {
		case i%2 == 0:
			j := rng.IntN(n)
			for c.quality[j] < fingerprint.MinQuality {
				j = rng.IntN(n)
			}
			h = flipBits(rng, c.hashes[j], rng.IntN(threshold+1))
			if withRegions {
				top = flipBits(rng, c.top[j], rng.IntN(threshold+1))
				bottom = flipBits(rng, c.bottom[j], rng.IntN(threshold+1))
			}
			q.planted = j
		case i%4 == 1:
			h, top, bottom = randHash(rng), randHash(rng), randHash(rng)
		default:
			s := rng.IntN(len(c.bases))
			h = flipBits(rng, c.bases[s], flipMin+rng.IntN(flipMax-flipMin+1))
			if withRegions {
				top = flipBits(rng, c.topBases[s], flipMin+rng.IntN(flipMax-flipMin+1))
				bottom = flipBits(rng, c.bottomBases[s], flipMin+rng.IntN(flipMax-flipMin+1))
			}
		}
		v := func(k fingerprint.VariantKind, h, d fingerprint.Hash) fingerprint.Variant {
			return fingerprint.Variant{Kind: k, Hash: h, Detail: d, Quality: 70}
		}
		// A mirror is, to the index, just another unrelated hash.
		one := []fingerprint.Variant{v(fingerprint.VariantPage, h, detail(viewPage, q.planted))}
		two := append(slices.Clone(one), v(fingerprint.VariantMirror, randHash(rng), detail(viewPage, -1)))
		if withRegions {
			one = append(one, v(fingerprint.VariantTop, top, detail(viewTop, q.planted)), v(fingerprint.VariantBottom, bottom, detail(viewBottom, q.planted)))
			two = append(two, one[1:]...)
			two = append(two, v(fingerprint.VariantTopMirror, randHash(rng), detail(viewTop, -1)), v(fingerprint.VariantBottomMirror, randHash(rng), detail(viewBottom, -1)))
		}
		q.fp = fingerprint.Fingerprint{Hash: h, Quality: 70, Variants: one}
		q.fp2 = fingerprint.Fingerprint{Hash: h, Quality: 70, Variants: two}
	}
	return qs
}
