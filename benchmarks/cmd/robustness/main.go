// Command robustness measures recall per pirate family and the false-match
// margin of pagematch next to goimagehash's pHash and dHash, on synthetic
// manga pages. It prints a Markdown report.
//
//	go run ./benchmarks/cmd/robustness            # the report set
//	go run ./benchmarks/cmd/robustness -set tune  # the tuning set
//
// The "pagematch" column is the index pagematch index build makes by
// default (pages and their halves); "pagematch-pages-only" is an index of
// whole pages (--regions=false).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/robustness"
)

func main() {
	set := flag.String("set", "report", "page set: tune (series 0-) or report (series 1000-)")
	series := flag.Int("series", 50, "series in the set")
	from := flag.Int("from", 0, "skip the set's first `K` series: -set tune -from 100 -series 100 measures tuning series 100-199")
	pages := flag.Int("pages", 10, "reference pages per series")
	distract := flag.Int("distractors", 10, "distractor pages per series")
	width := flag.Int("width", 0, "page width (0: 1200x1700)")
	families := flag.String("families", strings.Join(pirate.Families(), ","), "pirate families")
	baselines := flag.Bool("baselines", true, "also measure goimagehash")
	workers := flag.Int("workers", 0, "workers (0: GOMAXPROCS)")
	regions := flag.Bool("regions", true, "measure pagematch as pagematch index build indexes by default: references store their page and its top and bottom halves (fingerprint.WithRegions), which queries look up")
	pagesOnly := flag.Bool("pages-only", true, "also measure an index of whole pages only (pagematch index build --regions=false)")
	viaJPEG := flag.Bool("jpeg", false, "also measure pagematch-jpeg: references encoded as JPEG at quality 90 and queries at 85, fingerprinted from the bytes (the JPEG fast path, as a proxy runs it, for a short side of 768 pixels or more: use -width 1200)")
	misses := flag.Bool("misses", false, "list every query that missed its page, with the nearest its variants came")
	detail := flag.Int("detail", fingerprint.DefaultDetailThreshold, "detail threshold that confirms a match (fingerprint.DetailMatch); negative: no detail check")
	sweep := flag.Bool("sweep", false, "also print recall and false-match estimates at several detail thresholds (for tuning)")
	near := flag.Int("near", 0, "list the non-matching pairs within `D` bits (at most 60 per method), to see which pages make the lower tail; 0: none")
	flag.Parse()

	first := 1000
	switch {
	case *set == "tune":
		first = 0
	case *set != "report":
		fmt.Fprintf(os.Stderr, "robustness: unknown set %q (tune or report)\n", *set)
		os.Exit(2)
	}
	if *from < 0 || (*set == "tune" && *from+*series > 1000) {
		fmt.Fprintln(os.Stderr, "robustness: -from and -series must stay within the set (the tuning set is series 0-999)")
		os.Exit(2)
	}
	first += *from
	cfg := robustness.Config{Pages: *pages, Distractor: *distract, Seed: uint64(first) + 7,
		Families: strings.Split(*families, ","), Workers: *workers, Width: *width, NearWithin: *near, ListMisses: *misses,
		DetailThreshold: *detail}
	if *width > 0 {
		cfg.Height = *width * 17 / 12
	}
	for s := first; s < first+*series; s++ {
		cfg.Series = append(cfg.Series, s)
	}
	var methods []robustness.Method
	if *regions {
		methods = append(methods, robustness.Pagematch(fingerprint.WithRegions(true)))
	}
	if *pagesOnly {
		m := robustness.Pagematch()
		m.Name = "pagematch-pages-only"
		methods = append(methods, m)
	}
	var jst robustness.JPEGStats
	if *viaJPEG {
		methods = append(methods, robustness.PagematchJPEG(90, 85, &jst, fingerprint.WithRegions(true)))
	}
	if *baselines {
		methods = append(methods, robustness.Baselines()...)
	}
	if len(methods) == 0 {
		fmt.Fprintln(os.Stderr, "robustness: no method to measure")
		os.Exit(2)
	}
	// The baselines' thresholds are the largest that gave no false match on
	// the tuning set (its smallest non-matching distance, less one).
	th := map[string]int{"pagematch": fingerprint.DefaultThreshold, "pagematch-pages-only": fingerprint.DefaultThreshold, "pagematch-jpeg": fingerprint.DefaultThreshold,
		"goimagehash-phash": 7, "goimagehash-dhash": 6}
	start := time.Now()
	res, err := robustness.Run(context.Background(), cfg, methods, th)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("set %s: %d series (%d-%d) × %d reference pages, %d distractors per series; %s\n\n",
		*set, *series, first, first+*series-1, *pages, *distract, time.Since(start).Round(time.Second))
	robustness.WriteReport(os.Stdout, res)
	if *viaJPEG {
		fmt.Printf("\npagematch-jpeg: %d of %d references and %d of %d queries (distractors included) took the JPEG fast path; the others were decoded in full.\n",
			jst.RefsFast.Load(), jst.Refs.Load(), jst.QueriesFast.Load(), jst.Queries.Load())
	}
	if *sweep {
		robustness.WriteDetailSweep(os.Stdout, res)
	}
	robustness.WriteNear(os.Stdout, res, 60)
	robustness.WriteMisses(os.Stdout, res)
}
