package robustness

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// TestSmallRun is a smoke version of the robustness benchmark: every family
// runs end to end, no page matches a wrong page, and recall stays above a
// floor well below the targets (the targets are measured on the full report
// set by benchmarks/cmd/robustness, not here).
func TestSmallRun(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	cfg := Config{Series: []int{500, 501, 502, 503}, Pages: 4, Distractor: 4, Width: 480, Height: 680,
		Families: pirate.Families(), Seed: 1}
	res, err := Run(context.Background(), cfg, []Method{Pagematch()}, map[string]int{"pagematch": fingerprint.DefaultThreshold})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if n := r.WrongMatches(); n != 0 {
		t.Errorf("%d wrong matches", n)
	}
	var hits, queries int
	for _, f := range r.Families {
		if f.Family == "webp" && !pirate.CwebpAvailable() {
			continue
		}
		hits += f.Hits
		queries += f.Queries
		if f.Recall() < 0.5 {
			t.Errorf("%s: recall %.2f", f.Family, f.Recall())
		}
	}
	if rec := float64(hits) / float64(queries); rec < 0.85 {
		t.Errorf("overall recall %.3f", rec)
	}
	if r.NonMatch.Min() <= fingerprint.DefaultThreshold {
		t.Errorf("non-matching pair at distance %d", r.NonMatch.Min())
	}
}

func TestHistogramStats(t *testing.T) {
	var h Histogram
	h[10], h[20], h[30] = 1, 2, 1
	if h.Total() != 4 || h.Min() != 10 || h.Quantile(0.5) != 20 {
		t.Fatalf("total %d min %d median %d", h.Total(), h.Min(), h.Quantile(0.5))
	}
	m, s := h.MeanStd()
	if m != 20 || math.Abs(s-math.Sqrt(50)) > 1e-9 {
		t.Fatalf("mean %v std %v", m, s)
	}
	// A binomial(256, 1/2) distribution: the normal estimate of P(d <= 96)
	// is about 3.6e-5.
	var b Histogram
	for d := 0; d <= 256; d++ {
		lg, _ := math.Lgamma(257)
		l1, _ := math.Lgamma(float64(d + 1))
		l2, _ := math.Lgamma(float64(257 - d))
		b[d] = uint64(1e12 * math.Exp(lg-l1-l2-256*math.Ln2))
	}
	if p := b.GaussianCDF(96); p < 1e-5 || p > 1e-4 {
		t.Errorf("GaussianCDF(96) = %g", p)
	}
	if t1, t2 := b.SuggestThreshold(1e7, 2, 1e-6), b.SuggestThreshold(1e3, 2, 1e-6); t1 >= t2 {
		t.Errorf("a larger index must need a lower threshold: %d, %d", t1, t2)
	}
}

// A query code is compared only with the reference codes of its Kind: a
// top half equal to another page's page hash is no match, and equal to the
// right page's top half it is.
func TestEvalQueryKinds(t *testing.T) {
	meth := Pagematch()
	a, b := fingerprint.Hash{1}, fingerprint.Hash{2}
	refs := [][]Code{
		{{Hash: a, Quality: 80}, {Hash: b, Quality: 80, Kind: fingerprint.VariantTop}},
		{{Hash: b, Quality: 80}},
	}
	r := evalQuery(meth, refs, []Code{{Hash: b, Quality: 80, Kind: fingerprint.VariantTop}}, 0, fingerprint.DefaultThreshold, -1, 256)
	if !r.hit || r.wrong || r.best != 0 {
		t.Errorf("top half: hit %v wrong %v best %d, want a hit at 0 and no wrong match", r.hit, r.wrong, r.best)
	}
	if n := r.nonMatch().Total(); n != 0 || len(r.near) != 0 {
		t.Errorf("%d non-matching pairs counted, %d listed, across kinds", n, len(r.near))
	}
}

// TestEvalQueryNear checks that the non-matching pairs within the listing
// distance are listed with the reference, views and distance, and only
// they.
func TestEvalQueryNear(t *testing.T) {
	meth := Pagematch()
	a, b := fingerprint.Hash{1}, fingerprint.Hash{2}
	far := fingerprint.Hash{^uint64(0), ^uint64(0)}
	refs := [][]Code{{{Hash: a, Quality: 80}}, {{Hash: b, Quality: 80}}, {{Hash: far, Quality: 80}}}
	q := []Code{{Hash: a, Quality: 80, Variant: fingerprint.VariantMirror}}
	r := evalQuery(meth, refs, q, 0, fingerprint.DefaultThreshold, -1, 10)
	want := []nearCode{{ref: 1, d: a.Distance(b), dd: -1, qkind: fingerprint.VariantMirror, rkind: fingerprint.VariantPage}}
	if !slices.Equal(r.near, want) {
		t.Errorf("near = %+v, want %+v (the far page, %d bits away, left out)", r.near, want, a.Distance(far))
	}
	if r = evalQuery(meth, refs, q, 0, fingerprint.DefaultThreshold, -1, 0); len(r.near) != 0 {
		t.Errorf("listing off: %d pairs listed", len(r.near))
	}
}

// With WithRegions a reference stores its page and both halves, every
// query code is aimed at one of those views, and the page queried as it is
// finds each of them at distance 0.
func TestPagematchRegionCodes(t *testing.T) {
	img := testpages.Page(testpages.Spec{Series: 2, Page: 3, Width: 600, Height: 850})
	meth := Pagematch(fingerprint.WithRegions(true))
	ref, err := meth.Reference(img)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []fingerprint.VariantKind
	for _, c := range ref {
		kinds = append(kinds, c.Kind)
	}
	if want := []fingerprint.VariantKind{fingerprint.VariantPage, fingerprint.VariantTop, fingerprint.VariantBottom}; !slices.Equal(kinds, want) {
		t.Fatalf("reference kinds %v, want %v", kinds, want)
	}
	q, err := meth.Query(img)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range q {
		if !slices.Contains(kinds, c.Kind) {
			t.Errorf("query code aimed at %v, which references do not store", c.Kind)
		}
	}
	for _, r := range ref {
		if !slices.Contains(q, r) {
			t.Errorf("the page's own %v code is not among its query codes", r.Kind)
		}
	}
}

// TestEvalQueryBestVariant checks that a miss names the variant that came
// nearest its page.
func TestEvalQueryBestVariant(t *testing.T) {
	meth := Pagematch()
	page := fingerprint.Hash{^uint64(0)}
	refs := [][]Code{{{Hash: page, Quality: 80}}}
	q := []Code{
		{Hash: fingerprint.Hash{}, Quality: 80, Variant: fingerprint.VariantPage},                   // 64 bits off
		{Hash: fingerprint.Hash{^uint64(0) >> 40}, Quality: 80, Variant: fingerprint.VariantUncrop}, // 40 bits off
	}
	r := evalQuery(meth, refs, q, 0, fingerprint.DefaultThreshold, -1, 0)
	if r.hit || r.best != 40 || r.bestVariant != fingerprint.VariantUncrop {
		t.Errorf("hit %v best %d via %v, want a miss at 40 via uncrop", r.hit, r.best, r.bestVariant)
	}
}

// The non-match distribution is split by the reference view compared, and
// the estimate with the views fitted apart is at least each view's own.
func TestNonMatchByView(t *testing.T) {
	meth := Pagematch()
	refs := [][]Code{
		{{Hash: fingerprint.Hash{0}, Quality: 80}, {Hash: fingerprint.Hash{0}, Quality: 80, Kind: fingerprint.VariantTop}},
		{{Hash: fingerprint.Hash{^uint64(0)}, Quality: 80}, {Hash: fingerprint.Hash{1}, Quality: 80, Kind: fingerprint.VariantTop}},
	}
	qc := []Code{{Hash: fingerprint.Hash{0}, Quality: 80}, {Hash: fingerprint.Hash{0}, Quality: 80, Kind: fingerprint.VariantTop}}
	r := evalQuery(meth, refs, qc, 0, fingerprint.DefaultThreshold, -1, 0)
	if p, top := r.byView[fingerprint.VariantPage], r.byView[fingerprint.VariantTop]; p == nil || top == nil || p[64] != 1 || top[1] != 1 || r.nonMatch().Total() != 2 {
		t.Fatalf("by view: page %v top %v, total %d", p, top, r.nonMatch().Total())
	}

	// Two views: pages far apart, halves with a heavy lower tail.
	var page, half Histogram
	for d := 100; d <= 156; d++ {
		page[d] = 1000
		half[d-40] = 1000
	}
	m := MethodResult{Threshold: 33,
		NonMatchByView: map[fingerprint.VariantKind]*Histogram{fingerprint.VariantPage: &page, fingerprint.VariantTop: &half},
		LookupsByView:  map[fingerprint.VariantKind]float64{fingerprint.VariantPage: 10, fingerprint.VariantTop: 2}}
	all := m.ViewLookupFMR(33, IndexSize)
	p, h := page.LookupFMR(33, IndexSize, 10), half.LookupFMR(33, IndexSize, 2)
	if all < p || all < h || all > p+h {
		t.Errorf("views fitted apart: %g, want between max and sum of %g and %g", all, p, h)
	}
}

// byPage counts one least distance per wrong reference page, over every
// view and variant; the right page and low-quality codes do not count.
func TestEvalQueryByPage(t *testing.T) {
	meth := Pagematch()
	h := func(ones int) fingerprint.Hash { return fingerprint.Hash{^uint64(0) >> (64 - ones)} }
	refs := [][]Code{
		{{Hash: h(0), Quality: 80}}, // the right page
		{{Hash: h(50), Quality: 80}, {Hash: h(30), Quality: 80, Kind: fingerprint.VariantTop}},
		{{Hash: h(20), Quality: 10}}, // below the quality rule: never a match
	}
	qc := []Code{
		{Hash: h(0), Quality: 80},
		{Hash: h(4), Quality: 80, Variant: fingerprint.VariantUncrop},
		{Hash: h(0), Quality: 80, Kind: fingerprint.VariantTop},
	}
	r := evalQuery(meth, refs, qc, 0, fingerprint.DefaultThreshold, -1, 0)
	var want Histogram
	want[30] = 1 // page 1 through its top half; its page view is 46-50 bits off
	if r.byPage != want {
		t.Errorf("byPage holds %d pairs, least %d; want one at 30", r.byPage.Total(), r.byPage.Min())
	}
	if n := r.nonMatch().Total(); n != 3 {
		t.Errorf("%d variant pairs, want 3 (two page codes and the top against page 1)", n)
	}
}

// nonMatch is every non-matching pair of the query, whatever the view.
func (q *queryResult) nonMatch() *Histogram {
	all := new(Histogram)
	for _, h := range q.byView {
		all.Add(h)
	}
	return all
}
