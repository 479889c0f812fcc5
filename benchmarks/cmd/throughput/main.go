// Command throughput measures how fast pagematch turns JPEG bytes into a
// fingerprint (issue 4), next to the straightforward pipeline, and prints a
// Markdown table followed by the same figures as JSON.
//
//	go run ./benchmarks/cmd/throughput [-pages 16] [-covers 8] [-workers N]
//
// The pages are synthetic 1200×1700 manga pages (internal/testpages)
// encoded by image/jpeg at quality 85: greyscale pages, colour covers
// (4:2:0), and the progressive files in benchmarks/testdata. The pipelines:
//
//	(a) fingerprint.FromBytes, the default (JPEG fast path: DC-only decode),
//	    and the same with WithRegions(true), as a Matcher runs it against an
//	    index of pages and halves
//	(b) fingerprint.FromBytes with WithFastPath(false) (full decode)
//	(c) image/jpeg.Decode, then goimagehash.PerceptionHash
//	    image/jpeg.Decode alone, to split (c) into decoding and hashing
//	    djpeg -scale 1/8 -grayscale (libjpeg-turbo), if installed: a
//	    reference that decodes a 1/8 thumbnail and hashes nothing
//
// Per-core figures are pages (or bytes) per second of CPU time, measured
// with GOMAXPROCS=1 in rounds that visit every pipeline in turn, so that a
// busy shared machine slows them all alike; the speed-up ratios come from
// the same rounds. A worker pool at -workers then runs (a) on all cores.
// Last, the equivalence check fingerprints -equiv pages both ways and
// reports the Hamming distance between the fast and full fingerprints and
// the lookup recall of each against an index of the original pages.
//
// -make-progressive DIR regenerates the progressive test files with
// jpegtran (Debian's libjpeg-turbo-progs) and exits.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"
)

type options struct {
	pages, covers int
	workers       int
	rounds        int
	slice         time.Duration
	pool          time.Duration
	equiv         int
	equivSeries   int
	testdata      string
	djpeg         bool
	progress      io.Writer
}

func main() {
	var o options
	flag.IntVar(&o.pages, "pages", 16, "greyscale pages in the speed sample")
	flag.IntVar(&o.covers, "covers", 8, "colour covers in the speed sample")
	flag.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "workers in the pool run (0 skips it)")
	flag.IntVar(&o.rounds, "rounds", 3, "measurement rounds over all pipelines")
	flag.DurationVar(&o.slice, "slice", 400*time.Millisecond, "least time per pipeline, set and round")
	flag.DurationVar(&o.pool, "pool", 3*time.Second, "duration of the worker-pool run")
	flag.IntVar(&o.equiv, "equiv", 100, "pages in the fast-vs-full equivalence check (0 skips it)")
	flag.IntVar(&o.equivSeries, "equiv-series", 0, "first of the ten series of the equivalence check: 0 is in the tuning range, 1000 in the report range")
	flag.StringVar(&o.testdata, "testdata", "benchmarks/testdata", "folder of the progressive JPEGs")
	flag.BoolVar(&o.djpeg, "djpeg", true, "time libjpeg-turbo's djpeg as a reference when installed")
	jsonOut := flag.String("json", "", "also write the JSON report to this file")
	makeProg := flag.String("make-progressive", "", "write the progressive test JPEGs to this folder and exit")
	quiet := flag.Bool("q", false, "no progress on stderr")
	flag.Parse()
	if *makeProg != "" {
		if err := makeProgressive(*makeProg); err != nil {
			fail(err)
		}
		return
	}
	o.progress = os.Stderr
	if *quiet {
		o.progress = io.Discard
	}
	if o.pages < 1 || o.covers < 0 || o.rounds < 1 || o.workers < 0 || o.equiv < 0 {
		fail(fmt.Errorf("throughput: -pages and -rounds must be positive, -covers, -workers and -equiv not negative"))
	}
	rep, err := run(o)
	if err != nil {
		fail(err)
	}
	writeMarkdown(os.Stdout, rep)
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Printf("\n```json\n%s\n```\n", js)
	if *jsonOut != "" {
		if err := os.WriteFile(*jsonOut, append(js, '\n'), 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
