package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/robustness"
)

type report struct {
	cfg             config
	c               *corpus
	t               *tally
	hashed, scanned time.Duration
}

// A population is one of the distance distributions the report shows.
type population struct {
	name string
	hist func(level int) *robustness.Histogram
	// lookups and harness are the codes a query tries against it, measured
	// on these clean pages and taken from the robustness report set.
	lookups, harness float64
}

func (r *report) populations() []population {
	var out []population
	var meas [nViews]float64
	for _, p := range r.c.pages {
		for v := range views {
			meas[v] += float64(p.lookups[v])
		}
	}
	var sumL, sumH float64
	for v, k := range views {
		meas[v] /= float64(len(r.c.pages))
		sumL += meas[v]
		sumH += r.cfg.harnessLookups[v]
		out = append(out, population{name: k.String() + " view", lookups: meas[v], harness: r.cfg.harnessLookups[v],
			hist: func(l int) *robustness.Histogram { return &r.t.byView[l][v] }})
	}
	out = append(out, population{name: "pooled views", lookups: sumL, harness: sumH,
		hist: func(l int) *robustness.Histogram {
			h := new(robustness.Histogram)
			for v := range views {
				h.Add(&r.t.byView[l][v])
			}
			return h
		}})
	out = append(out, population{name: "query level (min per page pair)", lookups: 1, harness: 1,
		hist: func(l int) *robustness.Histogram { return &r.t.query[l] }})
	return out
}

// lookupFMR is the chance that one lookup of `lookups` codes, each a false
// match with probability p, matches one of n pages.
func lookupFMR(p, lookups float64) float64 {
	return -math.Expm1(lookups * robustness.IndexSize * math.Log1p(-p))
}

func (r *report) write(w io.Writer) {
	c, cfg := r.c, r.cfg
	top := len(c.levels) - 1
	n := len(c.pages)
	fmt.Fprintf(w, "fmrscale %s\n\n", strings.Join(os.Args[1:], " "))
	fmt.Fprintf(w, "%d clean pages (series %d-%d × pages 0-%d, %dx%d), fingerprinted with regions in %v; "+
		"%d ordered pairs of distinct pages compared in %v on %d workers.\n\n",
		n, cfg.seriesFrom, cfg.seriesFrom+cfg.series-1, cfg.pages-1, cfg.width, cfg.width*17/12,
		r.hashed.Round(time.Second), n*(n-1), r.scanned.Round(time.Millisecond), cfg.workers)
	pops := r.populations()

	fmt.Fprintln(w, "Codes per page, by reference view (a query tries all of them; only those with quality >= fingerprint.MinQuality are compared):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| view | references stored (matchable) | query codes per page | matchable query codes per page | lookups per query, robustness report set |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|")
	for v, k := range views {
		var refs, q int
		for _, p := range c.pages {
			if p.refOK[v] {
				refs++
			}
			q += len(p.q[v])
		}
		fmt.Fprintf(w, "| %v | %d | %.2f | %.2f | %.2f |\n", k, refs, pops[v].lookups, float64(q)/float64(n), cfg.harnessLookups[v])
	}
	fmt.Fprintf(w, "| all | | %.2f | | %.2f |\n\n", pops[nViews].lookups, pops[nViews].harness)
	if r.t.none[top] > 0 {
		fmt.Fprintf(w, "%d ordered pairs had no comparison at all (quality rule) and are left out of the query-level histogram.\n\n", r.t.none[top])
	}

	fmt.Fprintln(w, "Distance distributions (variant pairs: every matchable query code of page i against the reference view it targets of page j ≠ i):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| population | pairs | min | 1e-9 | 1e-6 | 0.1% | median | mean ± sd | binomial n |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, p := range pops {
		h := p.hist(top)
		m, s := h.MeanStd()
		b, _ := fitBinomial(h)
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %d | %.1f ± %.1f | %d |\n", p.name, h.Total(), h.Min(),
			h.Quantile(1e-9), h.Quantile(1e-6), h.Quantile(1e-3), h.Quantile(0.5), m, s, b.n)
	}
	var odd uint64
	for d, n := range pops[nViews].hist(top) {
		odd += n * uint64(d%2)
	}
	fmt.Fprintf(w, "\n%d of the pooled variant pairs are at an odd distance: a hash sets the bits above the median of its coefficients, "+
		"so (nearly) every hash has 128 bits set and distances are even; the tables step by 2.\n\n", odd)
	r.writeEstimates(w, pops)
	r.writeNear(w)
	r.writeCalibration(w, pops)
	r.writeDependence(w, pops)
}

func (r *report) writeEstimates(w io.Writer, pops []population) {
	t, top := r.cfg.threshold, len(r.c.levels)-1
	fmt.Fprintf(w, "Estimates at threshold %d, fitted on all %d pages (exponential tail = Histogram.TailCDF, normal = GaussianCDF, "+
		"their max = PairFMR as the robustness report uses; binomial = Daugman's model, see below). Per lookup against %.0e pages, "+
		"with the lookups measured here and with those of the robustness report set; the query level is already one lookup.\n\n",
		t, len(r.c.pages), float64(robustness.IndexSize))
	fmt.Fprintln(w, "| population | observed ≤ t | pair: exponential | pair: normal | pair: binomial | PairFMR | lookup, clean lookups | lookup, report-set lookups | lookup by binomial, report-set lookups |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, p := range pops {
		h := p.hist(top)
		exp, _ := h.TailCDF(t)
		b, _ := fitBinomial(h)
		fmt.Fprintf(w, "| %s | %d | %.1e | %.1e | %.1e | %.1e | %.1e | %.1e | %.1e |\n", p.name, cumulative(h, t), exp, h.GaussianCDF(t),
			b.CDF(t), h.PairFMR(t), h.LookupFMR(t, robustness.IndexSize, p.lookups), h.LookupFMR(t, robustness.IndexSize, p.harness),
			lookupFMR(b.CDF(t), p.harness))
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
	fmt.Fprintf(w, "\nViews fitted apart (MethodResult.ViewLookupFMR): %.1e per lookup with the clean lookups, %.1e with the report set's.\n\n",
		apart(false), apart(true))
}

func (r *report) writeNear(w io.Writer) {
	c := r.c
	type key struct{ a, b int32 }
	seen := map[key]bool{}
	fmt.Fprintf(w, "Nearest pairs of pages (unordered; the distance is the smallest over both directions and all views):\n\n")
	fmt.Fprintln(w, "| distance | query page | query variant | reference page | reference view | nearest page / top / bottom | same series |")
	fmt.Fprintln(w, "|--:|---|---|---|---|---|---|")
	listed := 0
	for _, p := range r.t.near {
		k := key{min(p.i, p.j), max(p.i, p.j)}
		if seen[k] || listed == r.cfg.near {
			continue
		}
		seen[k] = true
		listed++
		pd := detail(c, int(p.i), int(p.j))
		best := 0
		for v := range views {
			if pd.d[v] < pd.d[best] {
				best = v
			}
		}
		qs, rs := c.pages[p.i].spec, c.pages[p.j].spec
		same := "no"
		if qs.Series == rs.Series {
			same = "yes"
		}
		fmt.Fprintf(w, "| %d | s%dp%d | %v | s%dp%d | %v | %s / %s / %s | %s |\n", p.d, qs.Series, qs.Page, pd.qKind[best],
			rs.Series, rs.Page, views[best], dist(pd.d[0]), dist(pd.d[1]), dist(pd.d[2]), same)
	}
	fmt.Fprintln(w)
}

func dist(d int) string {
	if d > 256 {
		return "–"
	}
	return fmt.Sprint(d)
}

// writeCalibration compares, for each population, the count of pairs at
// distance <= d in the whole sample with what each model fitted on a
// subsample predicts for a sample of that size.
func (r *report) writeCalibration(w io.Writer, pops []population) {
	c, top := r.c, len(r.c.levels)-1
	if top == 0 {
		fmt.Fprintln(w, "No calibration: no subsample is smaller than the sample.")
		return
	}
	fmt.Fprintln(w, "Calibration: the pairs at distance ≤ d in the whole sample, observed, against the count each model predicts when fitted "+
		"on the pairs among the first pages only (predicted = P_model(d) × pairs in the whole sample; the ratio predicted/observed in brackets). "+
		"exp = Histogram.TailCDF (log-CDF line between the 10th pair and the 2% quantile), normal = GaussianCDF, binom = Daugman's binomial "+
		"with n = m(1-m)/s² over the whole histogram.")
	for _, p := range pops {
		full := p.hist(top)
		fmt.Fprintf(w, "\n%s (%d pairs; subsample min:", p.name, full.Total())
		for l := 0; l < top; l++ {
			fmt.Fprintf(w, " %d pages %d,", c.levels[l], p.hist(l).Min())
		}
		fmt.Fprintf(w, " whole %d):\n\n| d | observed |", full.Min())
		for l := 0; l < top; l++ {
			fmt.Fprintf(w, " exp (%d) | normal (%d) | binom (%d) |", c.levels[l], c.levels[l], c.levels[l])
		}
		fmt.Fprintf(w, "\n|--:|--:|%s\n", strings.Repeat("--:|", 3*top))
		row := func(d int) {
			obs := cumulative(full, d)
			fmt.Fprintf(w, "| %d | %d |", d, obs)
			for l := 0; l < top; l++ {
				sub := p.hist(l)
				exp, _ := sub.TailCDF(d)
				b, _ := fitBinomial(sub)
				for _, pr := range []float64{exp, sub.GaussianCDF(d), b.CDF(d)} {
					fmt.Fprintf(w, " %s |", predicted(pr*float64(full.Total()), obs))
				}
			}
			fmt.Fprintln(w)
		}
		lo := max(full.Min(), 0)
		for d := lo; d <= 95; d += r.cfg.step {
			row(d)
		}
		fmt.Fprintf(w, "\nPer-pair estimate at %d, by where the model was fitted:", r.cfg.threshold)
		for l := 0; l <= top; l++ {
			h := p.hist(l)
			exp, _ := h.TailCDF(r.cfg.threshold)
			b, _ := fitBinomial(h)
			fmt.Fprintf(w, " %d pages: exp %.1e, normal %.1e, binom %.1e;", c.levels[l], exp, h.GaussianCDF(r.cfg.threshold), b.CDF(r.cfg.threshold))
		}
		fmt.Fprintln(w)
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
// if a page pair's codes fell near each other independently, a near page
// pair would have about one near code pair; many more means a near pair of
// pages is near through several variants at once.
func (r *report) writeDependence(w io.Writer, pops []population) {
	top := len(r.c.levels) - 1
	pooled, q := pops[nViews].hist(top), pops[nViews+1].hist(top)
	fmt.Fprintln(w, "Variant pairs per page pair, at distance ≤ d (pooled variant pairs / query-level page pairs):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| d | variant pairs | page pairs | ratio |")
	fmt.Fprintln(w, "|--:|--:|--:|--:|")
	for d := q.Min(); d >= 0 && d <= 110; d += r.cfg.step {
		a, b := cumulative(pooled, d), cumulative(q, d)
		if b > 0 {
			fmt.Fprintf(w, "| %d | %d | %d | %.2f |\n", d, a, b, float64(a)/float64(b))
		}
	}
	a, b := pooled.Total(), q.Total()
	fmt.Fprintf(w, "| all | %d | %d | %.2f |\n", a, b, float64(a)/float64(b))
}
