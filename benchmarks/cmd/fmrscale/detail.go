package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/robustness"
)

// jointRows are the hash thresholds D of the joint table: pairs with
// d <= D, and how many of them the detail check keeps.
var jointRows = [...]int{40, 44, 48, 52, 56, 60, 70, 80, 90}

// conditionalRows are the D of the conditional estimate
// P(d <= t) · P(dd <= dt | d <= D).
var conditionalRows = [...]int{60, 70, 80}

// view is view v's joint counts (v < nViews) or all views pooled.
func (j *jointCounts) view(v int) *jointView {
	if v < nViews {
		return &j[v]
	}
	all := new(jointView)
	for u := range views {
		for d := range j[u] {
			for dd, n := range j[u][d] {
				all[d][dd] += n
			}
		}
	}
	return all
}

// jointCount is the number of pairs of jv with d <= dMax and dd <= ddMax,
// and the least dd among those with d <= dMax (-1 if none).
func jointCount(jv *jointView, dMax, ddMax int) (n uint64, least int) {
	least = -1
	for d := 0; d <= min(dMax, jointMaxD); d++ {
		for dd, c := range jv[d] {
			if c == 0 {
				continue
			}
			if least < 0 || dd < least {
				least = dd
			}
			if dd <= ddMax {
				n += c
			}
		}
	}
	return n, least
}

// jointHist is the histogram by d of view jv's pairs with dd <= dt, as
// far as the joint counts hold them (d <= jointMaxD); the other pairs of
// the total are put at the top bucket, so that its CDF at D <= jointMaxD
// is P(d <= D and dd <= dt).
func jointHist(jv *jointView, total uint64, dt int) *robustness.Histogram {
	h := new(robustness.Histogram)
	var n uint64
	for d := range jv {
		for dd := 0; dd <= min(dt, len(jv[d])-1); dd++ {
			h[d] += jv[d][dd]
			n += jv[d][dd]
		}
	}
	h[len(h)-1] += total - n
	return h
}

// jointLocal is P(d <= t and dd <= dt) per pair by the local fit
// (localTail) of the CDF of jointHist over all its pairs at d <= jointMaxD:
// the tail of the joint event itself, with no assumption on how d and dd
// depend on each other, but fitted on few pairs. NaN if they are too few.
func jointLocal(jv *jointView, total uint64, t, dt int) float64 {
	h := jointHist(jv, total, dt)
	p, ok := localTail(h, float64(h.Upto(jointMaxD)), t)
	if !ok {
		return math.NaN()
	}
	return p
}

// estimate formats an estimate, "–" for none (NaN).
func estimate(p float64) string {
	if math.IsNaN(p) {
		return "–"
	}
	return fmt.Sprintf("%.1e", p)
}

// writeDetail writes what the detail check (fingerprint.DetailMatch) does
// to the non-matching pairs: the tail of the hash + detail sums, which
// bounds the false-match rate with the check without assuming the two
// distances independent; the joint counts of near pairs; and the
// conditional estimate.
func (s *snapshot) writeDetail(w io.Writer, cfg config, pops []population) {
	top := len(s.Levels) - 1
	t, dt := cfg.threshold, cfg.detail
	sums := s.populations(cfg, s.SumByView, s.SumQuery, 2*fingerprint.HashBits)
	fmt.Fprintf(w, "\n## With the detail check (hash ≤ %d and detail ≤ %d)\n\n", t, dt)
	fmt.Fprintf(w, "The same variant pairs, with the distance dd between their detail hashes (pairs whose codes both have one). "+
		"A pair the check lets match has d ≤ %d and dd ≤ %d, so d + dd ≤ %d: the tail of the sum at %d bounds the false-match "+
		"rate with the check without assuming d and dd independent (as internal/robustness's SumByView). "+
		"The query level is the least sum over the page pair's comparisons.\n\n", t, dt, t+dt, t+dt)
	s.writeHeadline(w, cfg, pops, sums)
	fmt.Fprintln(w, "Distributions of the sum d + dd:")
	fmt.Fprintln(w)
	writeDistributions(w, sums, top)
	fmt.Fprintf(w, "\nVariant pairs without a detail hash on both sides (left out of the sums):")
	for v, k := range views {
		fmt.Fprintf(w, " %v %d,", k, pops[v].hist(top).Total()-sums[v].hist(top).Total())
	}
	fmt.Fprintf(w, " page pairs with comparisons but none with details %d.\n\n", s.SumNone[top])
	sc := cfg
	sc.threshold = t + dt
	s.writeEstimates(w, sc, sums)
	s.writeJoint(w, cfg)
	s.writeConditional(w, cfg, pops)
	fmt.Fprintf(w, "Nearest pairs of pages by the hash + detail sum (least over both directions and all views):\n\n")
	s.writeNearList(w, s.Near[nearSum], cfg.near, nearSum)
	fmt.Fprintf(w, "Calibration of the sums, as for the hash distances above.\n\n")
	s.writeCalibration(w, sc, sums, sc.threshold+80)
}

// writeHeadline sums up the estimates per lookup at 10M pages, each view
// with the robustness report set's lookups: the hash alone at t, the sum
// bound at t+dt, and the conditional estimate.
func (s *snapshot) writeHeadline(w io.Writer, cfg config, pops, sums []population) {
	top := len(s.Levels) - 1
	t, dt := cfg.threshold, cfg.detail
	ms := models(cfg, pops[0].bits)[:2] // exp (TailCDF) and local
	joint := s.joint()
	fmt.Fprintf(w, "Per lookup against %.0e pages (report-set lookups; the query level is one lookup), by TailCDF (exp) and the local fit:\n\n",
		float64(robustness.IndexSize))
	fmt.Fprintf(w, "| population | hash ≤ %d: exp | hash ≤ %d: local | sum ≤ %d: exp | sum ≤ %d: local |", t, t, t+dt, t+dt)
	for _, d := range conditionalRows {
		fmt.Fprintf(w, " conditional D=%d: exp | local |", d)
	}
	fmt.Fprintf(w, " joint: local |")
	nEst := 5 + 2*len(conditionalRows)
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("--:|", nEst))
	// miss[k] is the chance that no view matches, estimate k, views apart.
	miss := make([]float64, nEst)
	for k := range miss {
		miss[k] = 1
	}
	for i, p := range pops {
		est := make([]float64, 0, nEst)
		for _, m := range ms {
			est = append(est, lookupFMR(m.cdf(p.hist(top), t), p.harness))
		}
		for _, m := range ms {
			est = append(est, lookupFMR(m.cdf(sums[i].hist(top), t+dt), p.harness))
		}
		if i <= nViews {
			jv := joint.view(i)
			for _, d := range conditionalRows {
				k, _ := jointCount(jv, d, dt)
				n, _ := jointCount(jv, d, math.MaxInt)
				for _, m := range ms {
					est = append(est, lookupFMR(m.cdf(p.hist(top), t)*ratio(k, n), p.harness))
				}
			}
			est = append(est, lookupFMR(jointLocal(jv, p.hist(top).Total(), t, dt), p.harness))
		}
		fmt.Fprintf(w, "| %s |", p.name)
		for k, e := range est {
			fmt.Fprintf(w, " %s |", estimate(e))
			if i < nViews {
				miss[k] *= 1 - e
			}
		}
		fmt.Fprintf(w, "%s\n", strings.Repeat(" – |", nEst-len(est)))
	}
	fmt.Fprintf(w, "| views fitted apart |")
	for _, m := range miss {
		fmt.Fprintf(w, " %s |", estimate(1-m))
	}
	fmt.Fprintf(w, "\n\nThe conditional estimate is P(d ≤ %d) by the fit times the share of pairs with d ≤ D that have dd ≤ %d, "+
		"measured in the joint counts below (with none, 3/pairs, the 95%% bound): it assumes that the detail check treats the pairs "+
		"at d ≤ %d as it treats those at d ≤ D. The sum bound assumes nothing of the kind, nor does the joint column: the local fit "+
		"(log-CDF line) of P(d ≤ D and dd ≤ %d) over D, through every pair of the joint counts with dd ≤ %d from the 10th (d ≤ %d), "+
		"extrapolated to D = %d; it rests on few pairs.\n\n", t, dt, t, dt, dt, jointMaxD, t)
}

// ratio is k/n, or 3/n (the 95% upper bound of a rate with no event in n
// trials) for k = 0; 1 for n = 0.
func ratio(k, n uint64) float64 {
	switch {
	case n == 0:
		return 1
	case k == 0:
		return min(1, 3/float64(n))
	}
	return float64(k) / float64(n)
}

// writeJoint writes, per view and pooled, the pairs with d <= D and how
// many of them have dd within a few detail thresholds around dt.
func (s *snapshot) writeJoint(w io.Writer, cfg config) {
	dt := cfg.detail
	dts := []int{dt - 10, dt, dt + 10, dt + 20}
	joint := s.joint()
	fmt.Fprintf(w, "Observed directly: variant pairs (all %d pages) with hash distance d ≤ D, and how many of them have detail distance dd "+
		"within a detail threshold; a pair the check removes has dd above it.\n\n", s.Pages)
	fmt.Fprintf(w, "| view | D | pairs d ≤ D |")
	for _, x := range dts {
		fmt.Fprintf(w, " dd ≤ %d |", x)
	}
	fmt.Fprintf(w, " least dd |\n|---|--:|--:|%s--:|\n", strings.Repeat("--:|", len(dts)))
	for v := 0; v <= nViews; v++ {
		name := "pooled"
		if v < nViews {
			name = views[v].String()
		}
		jv := joint.view(v)
		for _, d := range jointRows {
			n, least := jointCount(jv, d, math.MaxInt)
			fmt.Fprintf(w, "| %s | %d | %d |", name, d, n)
			for _, x := range dts {
				k, _ := jointCount(jv, d, x)
				fmt.Fprintf(w, " %d |", k)
			}
			fmt.Fprintf(w, " %s |\n", dist(least, 256))
		}
	}
	fmt.Fprintln(w)
}

// writeConditional writes the terms of the conditional estimate per view.
func (s *snapshot) writeConditional(w io.Writer, cfg config, pops []population) {
	top := len(s.Levels) - 1
	t, dt := cfg.threshold, cfg.detail
	joint := s.joint()
	fmt.Fprintf(w, "Conditional estimate, per pair: P(d ≤ %d) × P(dd ≤ %d | d ≤ D).\n\n", t, dt)
	fmt.Fprintf(w, "| view | D | P(dd ≤ %d given d ≤ D) | pair: exp × ratio | pair: local × ratio |\n|---|--:|--:|--:|--:|\n", dt)
	ms := models(cfg, pops[0].bits)
	for v := 0; v <= nViews; v++ {
		jv := joint.view(v)
		for _, d := range conditionalRows {
			k, _ := jointCount(jv, d, dt)
			n, _ := jointCount(jv, d, math.MaxInt)
			r := ratio(k, n)
			h := pops[v].hist(top)
			fmt.Fprintf(w, "| %s | %d | %d/%d = %.2g | %.1e | %.1e |\n", pops[v].name, d, k, n, r, ms[0].cdf(h, t)*r, ms[1].cdf(h, t)*r)
		}
	}
	fmt.Fprintln(w)
}
