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
	row("low-quality references", func(r MethodResult) string { return fmt.Sprint(r.LowQualityRefs) })
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
	miss := 1.0
	for k, h := range r.NonMatchByView {
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
		fmt.Fprintln(w, "| distance | query made from | family | query variant | reference | reference view |")
		fmt.Fprintln(w, "|--:|---|---|---|---|---|")
		for _, n := range r.Near[:min(max, len(r.Near))] {
			fam := n.Family
			if fam == "" {
				fam = "(distractor)"
			}
			fmt.Fprintf(w, "| %d | s%dp%d | %s | %v | s%dp%d | %v |\n", n.Distance, n.Query.Series, n.Query.Page, fam, n.QueryKind, n.Ref.Series, n.Ref.Page, n.RefKind)
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
