// Command fmrscale measures the distances between tens of thousands of
// different clean pages, enough pairs (1e9 and more) to see the lower tail
// of the non-match distribution down to about 1e-9 per pair instead of
// extrapolating it from the ~5e7 pairs of the robustness benchmark, and
// checks whether a tail fitted on a small sample predicts what the large
// one shows. It prints a Markdown report.
//
//	go run ./benchmarks/cmd/fmrscale -series 200            # 2,000 pages
//	go run ./benchmarks/cmd/fmrscale -series 4000           # 40,000 pages
//
// Every page is a reference (its page view and, with regions, its top and
// bottom halves) and a query (every variant, each against the reference
// view it targets), as in internal/robustness; the pages are clean, so a
// query's codes are those of an unedited page. The default series start at
// 10000, apart from the tuning (0-999) and report (1000-) sets.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/testpages"
)

type config struct {
	seriesFrom, series, pages int
	width, workers            int
	threshold, near, step     int
	// detail is the detail threshold the estimates with the check are
	// made at (fingerprint.DetailMatch).
	detail         int
	subsamples     []int
	harnessLookups [nViews]float64
	// localHi bounds the local tail fit: log CDF over the distances with
	// 10 to localHi pairs at or below them.
	localHi    float64
	save, load string
}

func main() {
	var cfg config
	flag.IntVar(&cfg.seriesFrom, "series-from", 10000, "first series (the tuning set is 0-999, the report set 1000-)")
	flag.IntVar(&cfg.series, "series", 200, "series")
	flag.IntVar(&cfg.pages, "pages", 10, "pages per series (a volume's worth: pages of one series share a style and a pool of layouts)")
	flag.IntVar(&cfg.width, "width", 600, "page width; the height is width·17/12")
	flag.IntVar(&cfg.workers, "workers", 0, "workers (0: GOMAXPROCS)")
	flag.IntVar(&cfg.threshold, "threshold", fingerprint.DefaultThreshold, "match threshold the estimates are made at")
	flag.IntVar(&cfg.detail, "detail-threshold", fingerprint.DefaultDetailThreshold, "detail threshold the estimates with the detail check are made at")
	flag.IntVar(&cfg.near, "near", 30, "list the `K` nearest pairs of pages")
	flag.IntVar(&cfg.step, "step", 2, "calibration tables: one row every `D` bits (hashes have 128 bits set, so distances are even)")
	subs := flag.String("subsamples", "1000,10000", "fit the tail models on the pairs among the first `N,M` pages and compare their predictions with the whole sample")
	flag.Float64Var(&cfg.localHi, "local-hi", 1000, "local tail model: fit log CDF over the distances with 10 to `K` pairs at or below them, the extreme tail whatever the sample size")
	flag.StringVar(&cfg.save, "save", "", "also save the histograms and nearest pairs to `file` (JSON), to report again with -load")
	flag.StringVar(&cfg.load, "load", "", "report from a `file` saved by -save instead of measuring (the report flags -threshold, -detail-threshold, -step, -local-hi, -harness-lookups, -near apply)")
	hl := flag.String("harness-lookups", "10.70,2.10,2.10", "lookups per query by view (page,top,bottom) of the robustness report set, for estimates as the harness makes them")
	flag.Parse()
	if cfg.workers <= 0 {
		cfg.workers = runtime.GOMAXPROCS(0)
	}
	var err error
	if cfg.subsamples, err = parseInts(*subs); err == nil {
		err = parseLookups(*hl, &cfg.harnessLookups)
	}
	if err == nil && (cfg.series <= 0 || cfg.pages <= 0 || cfg.width <= 0 || cfg.step <= 0 || cfg.localHi <= 10) {
		err = fmt.Errorf("fmrscale: -series, -pages, -width and -step must be positive, -local-hi above 10")
	}
	if err == nil && (cfg.threshold < 0 || cfg.threshold > fingerprint.HashBits || cfg.detail < 0 || cfg.detail > fingerprint.HashBits) {
		err = fmt.Errorf("fmrscale: -threshold and -detail-threshold must be within 0-%d", fingerprint.HashBits)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if cfg.load != "" {
		snap, err := loadSnapshot(cfg.load)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		snap.write(os.Stdout, cfg)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("fmrscale: %q: %w", s, err)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

func parseLookups(s string, out *[nViews]float64) error {
	f := strings.Split(s, ",")
	if len(f) != nViews {
		return fmt.Errorf("fmrscale: -harness-lookups wants %d numbers, got %q", nViews, s)
	}
	for v := range f {
		x, err := strconv.ParseFloat(strings.TrimSpace(f[v]), 64)
		if err != nil {
			return fmt.Errorf("fmrscale: -harness-lookups: %w", err)
		}
		out[v] = x
	}
	return nil
}

func run(ctx context.Context, cfg config, w io.Writer) error {
	var specs []testpages.Spec
	for s := cfg.seriesFrom; s < cfg.seriesFrom+cfg.series; s++ {
		for p := 0; p < cfg.pages; p++ {
			specs = append(specs, testpages.Spec{Series: s, Page: p, Width: cfg.width, Height: cfg.width * 17 / 12})
		}
	}
	start := time.Now()
	pages, err := fingerprintAll(ctx, specs, cfg.workers)
	if err != nil {
		return err
	}
	hashed := time.Since(start)
	c := newCorpus(pages, cfg.subsamples)
	start = time.Now()
	last := start
	var mu sync.Mutex
	t, err := scan(ctx, c, cfg.workers, 2*cfg.near, func(done int) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) > 30*time.Second {
			last = time.Now()
			fmt.Fprintf(os.Stderr, "fmrscale: %d of %d queries compared, %v\n", done, len(pages), time.Since(start).Round(time.Second))
		}
	})
	if err != nil {
		return err
	}
	snap := newSnapshot(cfg, c, t)
	snap.Hashed, snap.Scanned = hashed.Round(time.Second).String(), time.Since(start).Round(time.Second).String()
	if cfg.save != "" {
		if err := snap.save(cfg.save); err != nil {
			return err
		}
	}
	snap.write(w, cfg)
	return nil
}

// fingerprintAll renders and fingerprints every page, with regions as the
// default index stores them.
func fingerprintAll(ctx context.Context, specs []testpages.Spec, workers int) ([]page, error) {
	pages := make([]page, len(specs))
	var next, done atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(specs) {
					return
				}
				fp, err := fingerprint.FromImage(testpages.Page(specs[i]), fingerprint.WithRegions(true))
				if err != nil {
					errs[w] = fmt.Errorf("fmrscale: page %+v: %w", specs[i], err)
					return
				}
				pages[i] = newPage(specs[i], fp)
				if n := done.Add(1); n%5000 == 0 {
					fmt.Fprintf(os.Stderr, "fmrscale: %d of %d pages fingerprinted, %v\n", n, len(specs), time.Since(start).Round(time.Second))
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fmrscale: fingerprinting: %w", err)
	}
	return pages, nil
}
