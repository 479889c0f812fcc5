package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
)

// report is the program's output; it is printed as Markdown and as JSON.
type report struct {
	GoVersion string `json:"go_version"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	GOAMD64   string `json:"goamd64,omitempty"`
	CPU       string `json:"cpu,omitempty"`
	// Revision and Modified are the build's VCS stamp, when go build set
	// one (go run does not).
	Revision   string `json:"vcs_revision,omitempty"`
	Modified   string `json:"vcs_modified,omitempty"`
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	LoadStart  string `json:"loadavg_start"`
	LoadEnd    string `json:"loadavg_end"`
	// CoreShare is CPU time over wall time in the single-core rounds: the
	// share of a core this process got while other processes ran.
	CoreShare float64     `json:"core_share"`
	Rounds    int         `json:"rounds"`
	SliceMs   int64       `json:"slice_ms"`
	Sets      []setInfo   `json:"sets"`
	Rows      []row       `json:"rows"`
	Speedups  []ratio     `json:"speedups"`
	Pool      *poolResult `json:"pool,omitempty"`
	// PoolScaling is the pool's pages/s over the single-core pages/s of
	// the fast path: the number of cores' worth of work it got done.
	PoolScaling float64      `json:"pool_scaling,omitempty"`
	Equivalence *equivResult `json:"equivalence,omitempty"`
	Notes       []string     `json:"notes,omitempty"`
}

type setInfo struct {
	Name     string  `json:"name"`
	Pages    int     `json:"pages"`
	MinKB    float64 `json:"min_kb"`
	MedianKB float64 `json:"median_kb"`
	MaxKB    float64 `json:"max_kb"`
}

// row is one pipeline on one set. Rates are per second of CPU time.
type row struct {
	Set        string   `json:"set"`
	Pipeline   string   `json:"pipeline"`
	Label      string   `json:"label"`
	Pages      int      `json:"pages_timed"`
	CPUMs      float64  `json:"cpu_ms_per_page"`
	WallMs     float64  `json:"wall_ms_per_page"`
	PagesPerS  float64  `json:"pages_per_s_per_core"`
	MBPerS     float64  `json:"mb_per_s_per_core"`
	GbitPerS   float64  `json:"gbit_per_s_per_core"`
	Allocs     *float64 `json:"allocs_per_page,omitempty"`
	AllocKB    *float64 `json:"alloc_kb_per_page,omitempty"`
	SpeedupVsC float64  `json:"speedup_vs_goimagehash"`
}

// ratio compares pipelines on one set, from the same rounds.
type ratio struct {
	Set                 string  `json:"set"`
	FastOverGoimagehash float64 `json:"fast_over_goimagehash"`
	RoundMin            float64 `json:"fast_over_goimagehash_round_min"`
	RoundMax            float64 `json:"fast_over_goimagehash_round_max"`
	FastOverFull        float64 `json:"fast_over_full"`
	// DjpegOverFast is djpeg's speed over the fast path's: above 1,
	// libjpeg-turbo's thumbnail decode alone is faster than (a).
	DjpegOverFast float64 `json:"djpeg_over_fast,omitempty"`
}

func writeMarkdown(w io.Writer, r *report) {
	fmt.Fprintf(w, "## Fingerprint throughput\n\n%s, %s/%s %s, %d CPUs; load average %s at start, %s at end; this process got %.0f%% of a core in the single-core rounds.\n\n",
		r.GoVersion, r.GOOS, r.GOARCH, r.GOAMD64, r.NumCPU, r.LoadStart, r.LoadEnd, 100*r.CoreShare)
	if r.Revision != "" {
		fmt.Fprintf(w, "Built from %s (modified: %s).\n\n", r.Revision, r.Modified)
	}
	for _, s := range r.Sets {
		fmt.Fprintf(w, "- %s: %d pages, %.0f / %.0f / %.0f KB (min / median / max)\n", s.Name, s.Pages, s.MinKB, s.MedianKB, s.MaxKB)
	}
	fmt.Fprintf(w, "\nPer core = per second of CPU time, GOMAXPROCS=1, %d rounds of at least %d ms per cell. MB = 10⁶ bytes of JPEG.\n\n", r.Rounds, r.SliceMs)
	fmt.Fprintln(w, "| set | pipeline | pages/s per core | MB/s per core | Gbit/s per core | CPU ms/page | wall ms/page | allocs/page | KB alloc/page | × (c) |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, x := range r.Rows {
		allocs, kb := "–", "–"
		if x.Allocs != nil {
			allocs, kb = fmt.Sprintf("%.0f", *x.Allocs), fmt.Sprintf("%.0f", *x.AllocKB)
		}
		fmt.Fprintf(w, "| %s | %s | %.1f | %.1f | %.3f | %.2f | %.2f | %s | %s | %.2f |\n",
			x.Set, x.Label, x.PagesPerS, x.MBPerS, x.GbitPerS, x.CPUMs, x.WallMs, allocs, kb, x.SpeedupVsC)
	}
	fmt.Fprintln(w, "\n| set | (a)/(c) speed-up | per-round range | (a)/(b) | djpeg/(a) |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|")
	for _, s := range r.Speedups {
		dj := "–"
		if s.DjpegOverFast > 0 {
			dj = fmt.Sprintf("%.2f", s.DjpegOverFast)
		}
		fmt.Fprintf(w, "| %s | %.1f× | %.1f–%.1f | %.1f× | %s |\n", s.Set, s.FastOverGoimagehash, s.RoundMin, s.RoundMax, s.FastOverFull, dj)
	}
	if p := r.Pool; p != nil {
		fmt.Fprintf(w, "\nWorker pool, (a) on %s: %d workers, GOMAXPROCS %d, %.1f s: %.1f pages/s total, %.1f MB/s, %.3f Gbit/s; this process kept %.2f cores busy (CPU time / wall time; other processes hold the rest on a shared machine), at %.1f pages per CPU-second; the pool did %.2f cores' worth of the single-core rounds' work.\n",
			p.Set, p.Workers, p.GOMAXPROCS, p.Seconds, p.PagesPerS, p.MBPerS, p.GbitPerS, p.CoresBusy, p.PagesPerCPUS, r.PoolScaling)
	}
	if e := r.Equivalence; e != nil {
		writeEquivalence(w, e)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "\nNote: %s\n", n)
	}
}

func writeEquivalence(w io.Writer, e *equivResult) {
	fmt.Fprintf(w, "\n### Fast path vs full decode (%d pages of series %d–%d)\n\nHamming distance between the 256-bit page hashes of the two pipelines on the same JPEG bytes:\n\n", e.Pages, e.Series, e.Series+9)
	fmt.Fprintln(w, "| queries | n | min | median | p95 | max | mean |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|")
	for _, k := range sortedKeys(e.FastVsFull) {
		d := e.FastVsFull[k]
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %.1f |\n", k, d.N, d.Min, d.Median, d.P95, d.Max, d.Mean)
	}
	fmt.Fprintln(w, "\nLookups (all variants, default threshold) against an index of the original pages fingerprinted by FromImage; pirated copies take one edit each (crop, pad, watermark, tone, rescan, mirror, rotate, scanlation, spread, combo, jpeg), re-encoded at quality 80; a spread's neighbouring page counts as a right match:")
	writeRecall(w, e.Recall)
	fmt.Fprintf(w, "\nThe same lookups against an index built as a publisher with JPEG masters would: the original pages encoded at quality %d and fingerprinted by FromBytes, so through the fast path:\n", masterQuality)
	writeRecall(w, e.RecallJPEGIndex)
}

func writeRecall(w io.Writer, rec map[string]map[string]recall) {
	fmt.Fprintln(w, "\n| queries | pipeline | took fast path | found own page | matched another page | distance to own page (median / p95 / max) |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|")
	for _, k := range sortedKeys(rec) {
		for _, side := range []string{"fast", "full"} {
			r := rec[k][side]
			fmt.Fprintf(w, "| %s | %s | %d/%d | %d/%d | %d | %d / %d / %d |\n", k, side, r.FastPath, r.Queries, r.Found, r.Queries, r.Wrong, r.Distance.Median, r.Distance.P95, r.Distance.Max)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
