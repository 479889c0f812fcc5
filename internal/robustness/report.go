package robustness

import (
	"fmt"
	"io"
	"strings"

	"github.com/pagematch/pagematch/fingerprint"
)

// IndexSize is the index size the false-match estimate is made for.
const IndexSize = 10_000_000

// WriteReport writes the recall table and the false-match figures as
// Markdown.
func WriteReport(w io.Writer, res []MethodResult) {
	if len(res) == 0 {
		return
	}
	fmt.Fprintf(w, "| family |")
	for _, r := range res {
		fmt.Fprintf(w, " %s (t=%d) |", r.Method, r.Threshold)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|", len(res)))
	for i, f := range res[0].Families {
		fmt.Fprintf(w, "| %s (%d) |", f.Family, f.Queries)
		for _, r := range res {
			g := r.Families[i]
			fmt.Fprintf(w, " %.1f%%", 100*g.Recall())
			if g.Wrong > 0 {
				fmt.Fprintf(w, ", %d wrong", g.Wrong)
			}
			if g.Errors > 0 {
				fmt.Fprintf(w, ", %d errors", g.Errors)
			}
			fmt.Fprintf(w, " (p99 d=%d) |", g.Match.Quantile(0.99))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| measure |")
	for _, r := range res {
		fmt.Fprintf(w, " %s |", r.Method)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|", len(res)))
	row := func(name string, f func(r MethodResult) string) {
		fmt.Fprintf(w, "| %s |", name)
		for _, r := range res {
			fmt.Fprintf(w, " %s |", f(r))
		}
		fmt.Fprintln(w)
	}
	row("bits", func(r MethodResult) string { return fmt.Sprint(r.Bits) })
	row("threshold", func(r MethodResult) string { return fmt.Sprint(r.Threshold) })
	row("wrong matches (queries)", func(r MethodResult) string { return fmt.Sprint(r.WrongMatches()) })
	row("distractors matched", func(r MethodResult) string { return fmt.Sprintf("%d of %d", r.DistractorMatches, r.Distractors) })
	row("non-matching pairs", func(r MethodResult) string { return fmt.Sprint(r.NonMatch.Total()) })
	row("non-match min / 0.1% / median", func(r MethodResult) string {
		return fmt.Sprintf("%d / %d / %d", r.NonMatch.Min(), r.NonMatch.Quantile(0.001), r.NonMatch.Quantile(0.5))
	})
	row("margin (min − threshold)", func(r MethodResult) string { return fmt.Sprint(r.NonMatch.Min() - r.Threshold) })
	row("lookups per query", func(r MethodResult) string { return fmt.Sprintf("%.2f", r.Lookups) })
	row("est. pair FMR at threshold", func(r MethodResult) string { return fmt.Sprintf("%.1e", r.NonMatch.PairFMR(r.Threshold)) })
	row("est. FMR per lookup, 10M index", func(r MethodResult) string {
		return fmt.Sprintf("%.1e", r.NonMatch.LookupFMR(r.Threshold, IndexSize, r.Lookups))
	})
	row("threshold for ≤1e-6 at 10M", func(r MethodResult) string {
		return fmt.Sprint(r.NonMatch.SuggestThreshold(IndexSize, r.Lookups, 1e-6))
	})
	row("query–page pairs: count, least distance min / 0.1% / median", func(r MethodResult) string {
		h := &r.NonMatchByPage
		return fmt.Sprintf("%d, %d / %d / %d", h.Total(), h.Min(), h.Quantile(0.001), h.Quantile(0.5))
	})
	row("est. FMR per lookup at 10M, query–page pairs", func(r MethodResult) string {
		return fmt.Sprintf("%.1e", r.NonMatchByPage.LookupFMR(r.Threshold, IndexSize, 1))
	})
	if multiView(res) {
		for _, k := range views {
			row(fmt.Sprintf("%v view: pairs, min / 0.1%% / median", k), func(r MethodResult) string {
				h := r.NonMatchByView[k]
				if h == nil {
					return "–"
				}
				return fmt.Sprintf("%d, %d / %d / %d", h.Total(), h.Min(), h.Quantile(0.001), h.Quantile(0.5))
			})
			row(fmt.Sprintf("%v view: lookups per query, est. FMR per lookup at 10M", k), func(r MethodResult) string {
				if r.NonMatchByView[k] == nil {
					return "–"
				}
				return fmt.Sprintf("%.2f, %.1e", r.LookupsByView[k], r.NonMatchByView[k].LookupFMR(r.Threshold, IndexSize, r.LookupsByView[k]))
			})
		}
		row("est. FMR per lookup at 10M, views fitted apart", func(r MethodResult) string {
			return fmt.Sprintf("%.1e", r.ViewLookupFMR(r.Threshold, IndexSize))
		})
	}
	if hasDetails(res) {
		row("detail threshold", func(r MethodResult) string { return detailOr(r, fmt.Sprint(r.DetailThreshold)) })
		row("hash + detail sums of non-matching pairs: min / 0.1% / median", func(r MethodResult) string {
			all := r.sumAll()
			return detailOr(r, fmt.Sprintf("%d / %d / %d", all.Min(), all.Quantile(0.001), all.Quantile(0.5)))
		})
		row("est. FMR per lookup at 10M with the detail check: pooled, views fitted apart, query–page pairs", func(r MethodResult) string {
			all := r.sumAll()
			t := r.Threshold + r.DetailThreshold
			return detailOr(r, fmt.Sprintf("%.1e, %.1e, %.1e", all.LookupFMR(t, IndexSize, r.Lookups),
				r.SumViewLookupFMR(t, IndexSize), r.SumByPage.LookupFMR(t, IndexSize, 1)))
		})
	}
	row("low-quality references", func(r MethodResult) string { return fmt.Sprint(r.LowQualityRefs) })
}

// hasDetails says whether some method's codes carry detail hashes.
func hasDetails(res []MethodResult) bool {
	for _, r := range res {
		if r.DetailThreshold >= 0 && len(r.SumByView) > 0 {
			return true
		}
	}
	return false
}

// detailOr is s for a method with the detail check, "–" for others.
func detailOr(r MethodResult, s string) string {
	if r.DetailThreshold < 0 || len(r.SumByView) == 0 {
		return "–"
	}
	return s
}

// sumAll is the hash + detail sums of every view.
func (r MethodResult) sumAll() *Histogram {
	all := new(Histogram)
	for _, h := range r.SumByView {
		all.Add(h)
	}
	return all
}

// SumViewLookupFMR is ViewLookupFMR for the hash + detail sums at t.
func (r MethodResult) SumViewLookupFMR(t int, n float64) float64 {
	return r.viewsFMR(r.SumByView, t, n)
}

// detailSweep are the detail thresholds WriteDetailSweep reports.
var detailSweep = [...]int{50, 60, 70, 80, 90, 100, 110}

// WriteDetailSweep writes, for each method with detail hashes, the recall
// of every family and the false-match estimates at several detail
// thresholds, and without the check: the table a detail threshold is
// chosen from, on the tuning set.
func WriteDetailSweep(w io.Writer, res []MethodResult) {
	for _, r := range res {
		if detailOr(r, "") == "–" {
			continue
		}
		fmt.Fprintf(w, "\nDetail threshold sweep, %s (hash threshold %d):\n\n| family |", r.Method, r.Threshold)
		for _, t := range detailSweep {
			fmt.Fprintf(w, " %d |", t)
		}
		fmt.Fprintf(w, " off |\n|---|%s---|\n", strings.Repeat("---|", len(detailSweep)))
		for _, f := range r.Families {
			fmt.Fprintf(w, "| %s |", f.Family)
			for _, t := range detailSweep {
				fmt.Fprintf(w, " %.1f |", 100*f.RecallAt(t))
			}
			fmt.Fprintf(w, " %.1f |\n", 100*f.RecallAt(fingerprint.HashBits))
		}
		est := func(name string, f func(t int) float64) {
			fmt.Fprintf(w, "| %s |", name)
			for _, t := range detailSweep {
				fmt.Fprintf(w, " %.1e |", f(r.Threshold+t))
			}
			fmt.Fprintf(w, " %.1e |\n", f(-1))
		}
		all := r.sumAll()
		est("FMR/lookup at 10M, pooled", func(t int) float64 {
			if t < 0 {
				return r.NonMatch.LookupFMR(r.Threshold, IndexSize, r.Lookups)
			}
			return all.LookupFMR(t, IndexSize, r.Lookups)
		})
		est("views fitted apart", func(t int) float64 {
			if t < 0 {
				return r.ViewLookupFMR(r.Threshold, IndexSize)
			}
			return r.SumViewLookupFMR(t, IndexSize)
		})
		est("query–page pairs", func(t int) float64 {
			if t < 0 {
				return r.NonMatchByPage.LookupFMR(r.Threshold, IndexSize, 1)
			}
			return r.SumByPage.LookupFMR(t, IndexSize, 1)
		})
	}
}

// views are the reference views a method may store, in report order.
var views = [...]fingerprint.VariantKind{fingerprint.VariantPage, fingerprint.VariantTop, fingerprint.VariantBottom}

// multiView says whether some method stores more than the page view.
func multiView(res []MethodResult) bool {
	for _, r := range res {
		if len(r.NonMatchByView) > 1 {
			return true
		}
	}
	return false
}

// ViewLookupFMR estimates the false-match rate of one lookup against an
// index of n pages with each reference view's tail fitted on its own
// pairs: the whole pages and the halves are different populations, and one
// fit over their mixture follows whichever has the heavier tail only in
// proportion to its share of the pairs.
func (r MethodResult) ViewLookupFMR(t int, n float64) float64 {
	return r.viewsFMR(r.NonMatchByView, t, n)
}

// viewsFMR is the false-match rate of a lookup whose codes aimed at view k
// meet the pairs of hists[k], each view's tail fitted on its own.
func (r MethodResult) viewsFMR(hists map[fingerprint.VariantKind]*Histogram, t int, n float64) float64 {
	miss := 1.0
	for k, h := range hists {
		miss *= 1 - h.LookupFMR(t, n, r.LookupsByView[k])
	}
	return 1 - miss
}

// WriteNear writes, for each method that has them, the non-matching pairs
// listed by Config.NearWithin, at most max of them, nearest first.
func WriteNear(w io.Writer, res []MethodResult, max int) {
	for _, r := range res {
		if len(r.Near) == 0 {
			continue
		}
		fmt.Fprintf(w, "\nNearest non-matching pairs, %s (%d listed of %d):\n\n", r.Method, min(max, len(r.Near)), len(r.Near))
		fmt.Fprintln(w, "| distance | detail | query made from | family | query variant | reference | reference view |")
		fmt.Fprintln(w, "|--:|--:|---|---|---|---|---|")
		for _, n := range r.Near[:min(max, len(r.Near))] {
			fam := n.Family
			if fam == "" {
				fam = "(distractor)"
			}
			fmt.Fprintf(w, "| %d | %d | s%dp%d | %s | %v | s%dp%d | %v |\n", n.Distance, n.Detail, n.Query.Series, n.Query.Page, fam, n.QueryKind, n.Ref.Series, n.Ref.Page, n.RefKind)
		}
	}
}

// WriteMisses writes, for each method that has them, the queries that
// missed their page (Config.ListMisses).
func WriteMisses(w io.Writer, res []MethodResult) {
	for _, r := range res {
		if len(r.Misses) == 0 {
			continue
		}
		fmt.Fprintf(w, "\nMissed queries, %s (%d; threshold %d):\n\n", r.Method, len(r.Misses), r.Threshold)
		fmt.Fprintln(w, "| family | query made from | nearest distance to its page | through variant |")
		fmt.Fprintln(w, "|---|---|--:|---|")
		for _, m := range r.Misses {
			fmt.Fprintf(w, "| %s | s%dp%d | %d | %v |\n", m.Family, m.Query.Series, m.Query.Page, m.Distance, m.Variant)
		}
	}
}
