package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/robustness"
	"github.com/pagematch/pagematch/internal/testpages"
)

// snapshot is everything the report needs, so that it can be saved and
// reported again (with other report flags) without measuring again.
type snapshot struct {
	// Version is snapshotVersion when the file was saved; files without it
	// (0) predate the detail figures.
	Version                      int
	Command                      string
	SeriesFrom, Series, PagesPer int
	Width, Height, Workers       int
	Pages                        int
	Hashed, Scanned              string
	Levels                       []int
	ByView                       [][nViews]robustness.Histogram
	Query                        []robustness.Histogram
	None                         []uint64
	Lookups, MatchableCodes      [nViews]float64 // per page
	Refs                         [nViews]int     // matchable references
	NoView                       []testpages.Spec
	// Near[v] are the nearest ordered pairs in view v, Near[nViews] in any,
	// Near[nearSum] by the least hash + detail sum in any view.
	Near [nViews + 2][]nearRow
	// SumByView, SumQuery and SumNone are ByView, Query and None for the
	// sums of hash and detail distances (see tally); Joint are the non-zero
	// joint counts of hash and detail distances (tally.joint).
	SumByView [][nViews]robustness.Histogram `json:",omitempty"`
	SumQuery  []robustness.Histogram         `json:",omitempty"`
	SumNone   []uint64                       `json:",omitempty"`
	Joint     []jointCell                    `json:",omitempty"`
}

// snapshotVersion 2 adds the detail figures.
const snapshotVersion = 2

// jointCell is one non-zero count of tally.joint.
type jointCell struct {
	View, D, DD int
	N           uint64
}

// hasDetail says whether s holds the detail figures.
func (s *snapshot) hasDetail() bool { return s.Version >= 2 }

// joint is the dense form of s.Joint.
func (s *snapshot) joint() *jointCounts {
	j := new(jointCounts)
	for _, c := range s.Joint {
		j[c.View][c.D][c.DD] += c.N
	}
	return j
}

// nearRow is one of the nearest ordered pairs of pages with its nearest
// comparison in each view.
type nearRow struct {
	D            int
	Query, Ref   testpages.Spec
	ByView       [nViews]int // 257: not compared
	QueryVariant [nViews]fingerprint.VariantKind
	// Detail[v] is the detail distance of the comparison at ByView[v], Sum[v]
	// the least hash + detail sum of view v; -1 without details.
	Detail, Sum [nViews]int
}

func newSnapshot(cfg config, c *corpus, t *tally) *snapshot {
	n := len(c.pages)
	s := &snapshot{Version: snapshotVersion, Command: strings.Join(os.Args[1:], " "), SeriesFrom: cfg.seriesFrom, Series: cfg.series, PagesPer: cfg.pages,
		Width: cfg.width, Height: cfg.width * 17 / 12, Workers: cfg.workers, Pages: n, Levels: c.levels,
		ByView: t.byView, Query: t.query, None: t.none, SumByView: t.sumByView, SumQuery: t.sumQuery, SumNone: t.sumNone}
	for v := range t.joint {
		for d := range t.joint[v] {
			for dd, n := range t.joint[v][d] {
				if n > 0 {
					s.Joint = append(s.Joint, jointCell{View: v, D: d, DD: dd, N: n})
				}
			}
		}
	}
	for _, p := range c.pages {
		any := false
		for v := range views {
			s.Lookups[v] += float64(p.lookups[v]) / float64(n)
			s.MatchableCodes[v] += float64(len(p.q[v])) / float64(n)
			if p.refOK[v] {
				s.Refs[v]++
				any = true
			}
		}
		if !any {
			s.NoView = append(s.NoView, p.spec)
		}
	}
	for v, near := range t.near {
		for _, p := range near {
			pd := detail(c, int(p.i), int(p.j))
			s.Near[v] = append(s.Near[v], nearRow{D: p.d, Query: c.pages[p.i].spec, Ref: c.pages[p.j].spec, ByView: pd.d, QueryVariant: pd.qKind,
				Detail: pd.dd, Sum: pd.sum})
		}
	}
	return s
}

func (s *snapshot) save(path string) error {
	b, err := json.Marshal(s)
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		return fmt.Errorf("fmrscale: save: %w", err)
	}
	return nil
}

func loadSnapshot(path string) (*snapshot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fmrscale: load: %w", err)
	}
	s := new(snapshot)
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("fmrscale: load %s: %w", path, err)
	}
	if len(s.Levels) == 0 || len(s.ByView) != len(s.Levels) || len(s.Query) != len(s.Levels) || len(s.None) != len(s.Levels) {
		return nil, fmt.Errorf("fmrscale: load %s: levels and histograms do not agree", path)
	}
	if s.hasDetail() && (len(s.SumByView) != len(s.Levels) || len(s.SumQuery) != len(s.Levels) || len(s.SumNone) != len(s.Levels)) {
		return nil, fmt.Errorf("fmrscale: load %s: levels and detail histograms do not agree", path)
	}
	for _, c := range s.Joint {
		if c.View < 0 || c.View >= nViews || c.D < 0 || c.D > jointMaxD || c.DD < 0 || c.DD > fingerprint.HashBits {
			return nil, fmt.Errorf("fmrscale: load %s: joint count out of range: %+v", path, c)
		}
	}
	return s, nil
}

// A population is one of the distance distributions the report shows.
type population struct {
	name string
	hist func(level int) *robustness.Histogram
	// lookups and harness are the codes a query tries against it, measured
	// on these clean pages and taken from the robustness report set.
	lookups, harness float64
	// bits is the largest distance: fingerprint.HashBits, or twice that
	// for sums of hash and detail distances.
	bits int
}

// populations are the distributions of hash distances (byView, query:
// s.ByView, s.Query) or of hash + detail sums.
func (s *snapshot) populations(cfg config, byView [][nViews]robustness.Histogram, query []robustness.Histogram, bits int) []population {
	var out []population
	var sumL, sumH float64
	for v, k := range views {
		sumL += s.Lookups[v]
		sumH += cfg.harnessLookups[v]
		out = append(out, population{name: k.String() + " view", lookups: s.Lookups[v], harness: cfg.harnessLookups[v], bits: bits,
			hist: func(l int) *robustness.Histogram { return &byView[l][v] }})
	}
	out = append(out, population{name: "pooled views", lookups: sumL, harness: sumH, bits: bits,
		hist: func(l int) *robustness.Histogram {
			h := new(robustness.Histogram)
			for v := range views {
				h.Add(&byView[l][v])
			}
			return h
		}})
	out = append(out, population{name: "query level (min per page pair)", lookups: 1, harness: 1, bits: bits,
		hist: func(l int) *robustness.Histogram { return &query[l] }})
	return out
}

// lookupFMR is the chance that one lookup of `lookups` codes, each a false
// match with probability p, matches one of robustness.IndexSize pages.
func lookupFMR(p, lookups float64) float64 {
	return robustness.PerLookup(p, robustness.IndexSize, lookups)
}

// models are the tail models the report compares, each P(d <= t) fitted
// on a histogram of distances up to bits.
func models(cfg config, bits int) []struct {
	name string
	cdf  func(h *robustness.Histogram, t int) float64
} {
	return []struct {
		name string
		cdf  func(h *robustness.Histogram, t int) float64
	}{
		{"exp", func(h *robustness.Histogram, t int) float64 { p, _ := h.TailCDF(t); return p }},
		{"local", func(h *robustness.Histogram, t int) float64 { p, _ := localTail(h, cfg.localHi, t); return p }},
		{"normal", func(h *robustness.Histogram, t int) float64 { return h.GaussianCDF(t) }},
		{"binom", func(h *robustness.Histogram, t int) float64 { b, _ := fitBinomial(h, bits); return b.CDF(t) }},
	}
}

func (s *snapshot) write(w io.Writer, cfg config) {
	top := len(s.Levels) - 1
	fmt.Fprintf(w, "fmrscale %s\n\n", s.Command)
	fmt.Fprintf(w, "%d clean pages (series %d-%d × pages 0-%d, %dx%d), fingerprinted with regions in %s; "+
		"%d ordered pairs of distinct pages compared in %s on %d workers.\n\n",
		s.Pages, s.SeriesFrom, s.SeriesFrom+s.Series-1, s.PagesPer-1, s.Width, s.Height,
		s.Hashed, s.Pages*(s.Pages-1), s.Scanned, s.Workers)
	pops := s.populations(cfg, s.ByView, s.Query, fingerprint.HashBits)

	fmt.Fprintln(w, "Codes per page, by reference view (a query tries all of them; only those with quality >= fingerprint.MinQuality are compared):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| view | references stored (matchable) | query codes per page | matchable query codes per page | lookups per query, robustness report set |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|")
	for v, k := range views {
		fmt.Fprintf(w, "| %v | %d | %.2f | %.2f | %.2f |\n", k, s.Refs[v], s.Lookups[v], s.MatchableCodes[v], cfg.harnessLookups[v])
	}
	fmt.Fprintf(w, "| all | | %.2f | | %.2f |\n\n", pops[nViews].lookups, pops[nViews].harness)
	if len(s.NoView) > 0 {
		fmt.Fprintf(w, "Pages with no matchable view, never a reference:")
		for _, p := range s.NoView {
			fmt.Fprintf(w, " s%dp%d", p.Series, p.Page)
		}
		fmt.Fprintf(w, ". %d ordered pairs had no comparison at all and are left out of the query-level histogram.\n\n", s.None[top])
	}

	fmt.Fprintln(w, "Distance distributions (variant pairs: every matchable query code of page i against the reference view it targets of page j ≠ i):")
	fmt.Fprintln(w)
	odd := writeDistributions(w, pops, top)
	fmt.Fprintf(w, "\n%d of the pooled variant pairs are at an odd distance: a hash sets the bits above the median of its coefficients, "+
		"so (nearly) every hash has 128 bits set and distances are even; the tables step by 2.\n\n", odd)
	s.writeEstimates(w, cfg, pops)
	s.writeNear(w, cfg)
	s.writeCalibration(w, cfg, pops, 95)
	s.writeDependence(w, cfg, pops)
	if s.hasDetail() {
		s.writeDetail(w, cfg, pops)
	}
}

// writeDistributions writes the quantiles of each population and returns
// the number of pooled variant pairs at an odd distance.
func writeDistributions(w io.Writer, pops []population, top int) (odd uint64) {
	fmt.Fprintln(w, "| population | pairs | min | 1e-9 | 1e-6 | 0.1% | median | mean ± sd | binomial n |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, p := range pops {
		h := p.hist(top)
		m, sd := h.MeanStd()
		b, _ := fitBinomial(h, p.bits)
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %d | %.1f ± %.1f | %d |\n", p.name, h.Total(), h.Min(),
			h.Quantile(1e-9), h.Quantile(1e-6), h.Quantile(1e-3), h.Quantile(0.5), m, sd, b.n)
	}
	for d, n := range pops[nViews].hist(top) {
		odd += n * uint64(d%2)
	}
	return odd
}

func (s *snapshot) writeEstimates(w io.Writer, cfg config, pops []population) {
	t, top := cfg.threshold, len(s.Levels)-1
	fmt.Fprintf(w, "Estimates at threshold %d, fitted on all %d pages: per pair by each model (exp = Histogram.TailCDF, the robustness "+
		"report's; local = the same line fitted over the extreme tail only, 10 to %.0f pairs; normal = GaussianCDF; binom = Daugman's "+
		"binomial, see the calibration); PairFMR = max(exp, normal) as the robustness report uses. Per lookup against %.0e pages with "+
		"the lookups measured here (clean) and with those of the robustness report set; the query level is already one lookup.\n\n",
		t, s.Pages, cfg.localHi, float64(robustness.IndexSize))
	fmt.Fprintln(w, "| population | observed ≤ t | pair: exp | pair: local | pair: normal | pair: binom | PairFMR | lookup: PairFMR, clean lookups | lookup: PairFMR, report-set lookups | lookup: local, report-set lookups |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	ms := models(cfg, pops[0].bits)
	for _, p := range pops {
		h := p.hist(top)
		fmt.Fprintf(w, "| %s | %d |", p.name, h.Upto(t))
		for _, m := range ms {
			fmt.Fprintf(w, " %.1e |", m.cdf(h, t))
		}
		fmt.Fprintf(w, " %.1e | %.1e | %.1e | %.1e |\n", h.PairFMR(t), h.LookupFMR(t, robustness.IndexSize, p.lookups),
			h.LookupFMR(t, robustness.IndexSize, p.harness), lookupFMR(ms[1].cdf(h, t), p.harness))
	}
	apart := func(harness bool) float64 {
		res := robustness.MethodResult{NonMatchByView: map[fingerprint.VariantKind]*robustness.Histogram{},
			LookupsByView: map[fingerprint.VariantKind]float64{}}
		for v, k := range views {
			res.NonMatchByView[k] = pops[v].hist(top)
			res.LookupsByView[k] = pops[v].lookups
			if harness {
				res.LookupsByView[k] = pops[v].harness
			}
		}
		return res.ViewLookupFMR(t, robustness.IndexSize)
	}
	miss := 1.0
	for v := range views {
		miss *= 1 - lookupFMR(ms[1].cdf(pops[v].hist(top), t), pops[v].harness)
	}
	fmt.Fprintf(w, "\nViews fitted apart (MethodResult.ViewLookupFMR): %.1e per lookup with the clean lookups, %.1e with the report set's; "+
		"with the local fit and the report set's lookups, %.1e.\n\n", apart(false), apart(true), 1-miss)
}

func (s *snapshot) writeNear(w io.Writer, cfg config) {
	fmt.Fprintf(w, "Nearest pairs of pages (unordered; the distance is the smallest over both directions and all views):\n\n")
	s.writeNearList(w, s.Near[nViews], cfg.near, nViews)
	for v, k := range views {
		fmt.Fprintf(w, "Nearest pairs of pages in the %v view:\n\n", k)
		s.writeNearList(w, s.Near[v], min(cfg.near, 10), v)
	}
}

// writeNearList lists at most max unordered pairs of near, nearest first,
// by their nearest comparison in view v, in any view for v == nViews, or by the
// least hash + detail sum in any view for v == nearSum.
func (s *snapshot) writeNearList(w io.Writer, near []nearRow, max, v int) {
	type key struct{ a, b testpages.Spec }
	seen := map[key]bool{}
	what := "distance"
	if v == nearSum {
		what = "hash + detail"
	}
	if s.hasDetail() {
		fmt.Fprintf(w, "| %s | query page | query variant | reference page | reference view | distance page / top / bottom | "+
			"detail at that distance, page / top / bottom | least hash + detail, page / top / bottom | same series |\n", what)
		fmt.Fprintln(w, "|--:|---|---|---|---|---|---|---|---|")
	} else {
		fmt.Fprintln(w, "| distance | query page | query variant | reference page | reference view | nearest page / top / bottom | same series |")
		fmt.Fprintln(w, "|--:|---|---|---|---|---|---|")
	}
	listed := 0
	for _, p := range near {
		k := key{p.Query, p.Ref}
		if p.Ref.Series < p.Query.Series || (p.Ref.Series == p.Query.Series && p.Ref.Page < p.Query.Page) {
			k = key{p.Ref, p.Query}
		}
		if seen[k] || listed == max {
			continue
		}
		seen[k] = true
		listed++
		best := v
		switch v {
		case nViews:
			best = 0
			for u := range views {
				if p.ByView[u] < p.ByView[best] {
					best = u
				}
			}
		case nearSum:
			best = 0
			for u := range views {
				if p.Sum[u] >= 0 && (p.Sum[best] < 0 || p.Sum[u] < p.Sum[best]) {
					best = u
				}
			}
		}
		same := "no"
		if p.Query.Series == p.Ref.Series {
			same = "yes"
		}
		fmt.Fprintf(w, "| %d | s%dp%d | %v | s%dp%d | %v | %s / %s / %s |", p.D, p.Query.Series, p.Query.Page, p.QueryVariant[best],
			p.Ref.Series, p.Ref.Page, views[best], dist(p.ByView[0], 256), dist(p.ByView[1], 256), dist(p.ByView[2], 256))
		if s.hasDetail() {
			fmt.Fprintf(w, " %s / %s / %s | %s / %s / %s |", dist(p.Detail[0], 256), dist(p.Detail[1], 256), dist(p.Detail[2], 256),
				dist(p.Sum[0], 512), dist(p.Sum[1], 512), dist(p.Sum[2], 512))
		}
		fmt.Fprintf(w, " %s |\n", same)
	}
	fmt.Fprintln(w)
}

// dist is d, or "–" outside 0..hi: a pair not compared.
func dist(d, hi int) string {
	if d > hi || d < 0 {
		return "–"
	}
	return fmt.Sprint(d)
}

// writeCalibration compares, for each population, the count of pairs at
// distance <= d in the whole sample with what each model fitted on a
// subsample predicts for a sample of that size.
func (s *snapshot) writeCalibration(w io.Writer, cfg config, pops []population, hi int) {
	top := len(s.Levels) - 1
	if top == 0 {
		fmt.Fprintln(w, "No calibration: no subsample is smaller than the sample.")
		return
	}
	ms := models(cfg, pops[0].bits)
	fmt.Fprintf(w, "Calibration: the pairs at distance ≤ d in the whole sample, observed, against the count each model predicts when fitted "+
		"on the pairs among the first pages only (predicted = P_model(d) × pairs in the whole sample; the ratio predicted/observed in brackets). "+
		"exp = Histogram.TailCDF (log-CDF line between the 10th pair and the 2%% quantile); local = the same line between the 10th and "+
		"the %.0fth pair; normal = GaussianCDF; binom = Daugman's binomial with n = m(1-m)/s² over the whole histogram.\n", cfg.localHi)
	for _, p := range pops {
		full := p.hist(top)
		fmt.Fprintf(w, "\n%s (%d pairs; min of the subsamples:", p.name, full.Total())
		for l := 0; l < top; l++ {
			fmt.Fprintf(w, " %d pages %d,", s.Levels[l], p.hist(l).Min())
		}
		fmt.Fprintf(w, " of all %d):\n\n| d | observed |", full.Min())
		for l := 0; l < top; l++ {
			for _, m := range ms {
				fmt.Fprintf(w, " %s (%d) |", m.name, s.Levels[l])
			}
		}
		fmt.Fprintf(w, "\n|--:|--:|%s\n", strings.Repeat("--:|", len(ms)*top))
		for d := max(full.Min(), 0); d <= hi; d += cfg.step {
			obs := full.Upto(d)
			fmt.Fprintf(w, "| %d | %d |", d, obs)
			for l := 0; l < top; l++ {
				for _, m := range ms {
					fmt.Fprintf(w, " %s |", predicted(m.cdf(p.hist(l), d)*float64(full.Total()), obs))
				}
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "\nPer-pair estimate at %d, by where the model was fitted:\n\n| fitted on |", cfg.threshold)
		for _, m := range ms {
			fmt.Fprintf(w, " %s |", m.name)
		}
		fmt.Fprintf(w, "\n|--:|%s\n", strings.Repeat("--:|", len(ms)))
		for l := 0; l <= top; l++ {
			fmt.Fprintf(w, "| %d pages |", s.Levels[l])
			for _, m := range ms {
				fmt.Fprintf(w, " %.1e |", m.cdf(p.hist(l), cfg.threshold))
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w)
}

func predicted(x float64, obs uint64) string {
	if obs == 0 {
		return fmt.Sprintf("%.3g", x)
	}
	return fmt.Sprintf("%.3g (×%.2g)", x, x/float64(obs))
}

// writeDependence compares variant pairs and page pairs at distance <= d:
// if a near page pair were near through one code pair only, the two would
// be equal; the lookups multiply the per-pair rate as if every code pair
// were an independent chance.
func (s *snapshot) writeDependence(w io.Writer, cfg config, pops []population) {
	top := len(s.Levels) - 1
	pooled, q := pops[nViews].hist(top), pops[nViews+1].hist(top)
	fmt.Fprintln(w, "Variant pairs per page pair, at distance ≤ d (pooled variant pairs / query-level page pairs):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| d | variant pairs | page pairs | ratio |")
	fmt.Fprintln(w, "|--:|--:|--:|--:|")
	for d := q.Min(); d >= 0 && d <= 110; d += cfg.step {
		a, b := pooled.Upto(d), q.Upto(d)
		if b > 0 {
			fmt.Fprintf(w, "| %d | %d | %d | %.2f |\n", d, a, b, float64(a)/float64(b))
		}
	}
	a, b := pooled.Total(), q.Total()
	fmt.Fprintf(w, "| all | %d | %d | %.2f |\n", a, b, float64(a)/float64(b))
}
