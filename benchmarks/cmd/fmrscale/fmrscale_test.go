package main

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/robustness"
	"github.com/pagematch/pagematch/internal/testpages"
)

// randomPages are pages with random codes, some views missing or below
// the quality rule, some codes without a detail hash, and a varying number
// of query codes per view.
func randomPages(n int, rng *rand.Rand) []page {
	pages := make([]page, n)
	for i := range pages {
		p := &pages[i]
		p.spec = testpages.Spec{Series: i / 10, Page: i % 10}
		for v := range views {
			p.refOK[v] = rng.IntN(8) != 0
			// Few bits set, so that distances spread and some pairs are near.
			for w := range p.ref[v] {
				p.ref[v][w] = rng.Uint64() & rng.Uint64() & rng.Uint64()
				p.refDetail[v][w] = rng.Uint64() & rng.Uint64()
			}
			// A few pages without details: most blocks of references
			// hold one, and take the scan's slow path.
			if rng.IntN(200) == 0 {
				p.refDetail[v] = fingerprint.Hash{}
			}
			for k := rng.IntN(4); k > 0; k-- {
				q, qd := p.ref[v], p.refDetail[v]
				q[rng.IntN(4)] ^= rng.Uint64() & rng.Uint64()
				qd[rng.IntN(4)] ^= rng.Uint64() & rng.Uint64()
				if rng.IntN(10) == 0 {
					qd = fingerprint.Hash{}
				}
				p.q[v] = append(p.q[v], q)
				p.qKind[v] = append(p.qKind[v], views[v])
				p.qDetail[v] = append(p.qDetail[v], qd)
			}
		}
	}
	return pages
}

// TestScanMatchesNaive checks the scan's segmented counts and per-pair
// minima against a plain loop over every ordered pair.
func TestScanMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pages := randomPages(1300, rng) // several blocks of references
	c := newCorpus(pages, []int{40, 700, 0, 5000})
	if want := []int{40, 700, 1300}; len(c.levels) != 3 || c.levels[0] != 40 || c.levels[1] != 700 || c.levels[2] != 1300 {
		t.Fatalf("levels %v, want %v", c.levels, want)
	}
	got, err := scan(context.Background(), c, 3, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := newTally(len(c.levels))
	var near [nViews + 2][]nearPair
	for i := range pages {
		for j := range pages {
			if i == j {
				continue
			}
			m, sm := 257, 1000
			var hv, sv [nViews]robustness.Histogram
			for v := range views {
				mv := 257
				if !pages[j].refOK[v] {
					continue
				}
				for qi, q := range pages[i].q[v] {
					d := q.Distance(pages[j].ref[v])
					hv[v][d]++
					mv = min(mv, d)
					qd, rd := pages[i].qDetail[v][qi], pages[j].refDetail[v]
					if qd.IsZero() || rd.IsZero() {
						continue
					}
					dd := qd.Distance(rd)
					sv[v][d+dd]++
					sm = min(sm, d+dd)
					if d <= jointMaxD {
						want.joint[v][d][dd]++
					}
				}
				if mv < 257 {
					near[v] = keepNear(near[v], nearPair{i: int32(i), j: int32(j), d: mv}, 5)
				}
				m = min(m, mv)
			}
			if m < 257 {
				near[nViews] = keepNear(near[nViews], nearPair{i: int32(i), j: int32(j), d: m}, 5)
			}
			if sm < 1000 {
				near[nearSum] = keepNear(near[nearSum], nearPair{i: int32(i), j: int32(j), d: sm}, 5)
			}
			for l, lim := range c.levels {
				if i >= lim || j >= lim {
					continue
				}
				for v := range views {
					want.byView[l][v].Add(&hv[v])
					want.sumByView[l][v].Add(&sv[v])
				}
				switch {
				case m == 257:
					want.none[l]++
				case sm == 1000:
					want.query[l][m]++
					want.sumNone[l]++
				default:
					want.query[l][m]++
					want.sumQuery[l][sm]++
				}
			}
		}
	}
	for l := range c.levels {
		for v := range views {
			if got.byView[l][v] != want.byView[l][v] {
				t.Errorf("level %d view %v: histograms differ", l, views[v])
			}
		}
		if got.query[l] != want.query[l] || got.none[l] != want.none[l] {
			t.Errorf("level %d: query-level histograms differ (none %d, want %d)", l, got.none[l], want.none[l])
		}
		for v := range views {
			if got.sumByView[l][v] != want.sumByView[l][v] {
				t.Errorf("level %d view %v: sum histograms differ", l, views[v])
			}
		}
		if got.sumQuery[l] != want.sumQuery[l] || got.sumNone[l] != want.sumNone[l] {
			t.Errorf("level %d: query-level sum histograms differ (none %d, want %d)", l, got.sumNone[l], want.sumNone[l])
		}
	}
	if *got.joint != *want.joint {
		t.Error("joint counts differ")
	}
	if want.query[2].Total() == 0 || want.none[2] == 0 || want.sumNone[2] == 0 {
		t.Fatal("the test pages should give compared pairs, uncompared pairs and pairs compared without details")
	}
	if want.sumByView[2][0].Total() == want.byView[2][0].Total() || want.sumQuery[2].Total() == 0 {
		t.Fatal("the test pages should give comparisons both with and without details")
	}
	all, _ := jointCount(&want.joint[0], jointMaxD, math.MaxInt)
	if n, _ := jointCount(&want.joint[0], jointMaxD, 90); n == 0 || n == all {
		t.Fatalf("the test pages should give near pairs on both sides of dd 90 in the joint counts: %d of %d", n, all)
	}
	for v := range near {
		if len(got.near[v]) != len(near[v]) {
			t.Fatalf("near[%d]: %v, want %v", v, got.near[v], near[v])
		}
		for k := range near[v] {
			if got.near[v][k] != near[v][k] {
				t.Errorf("near[%d][%d] = %v, want %v", v, k, got.near[v][k], near[v][k])
			}
		}
	}
	n := near[nViews][0]
	pd := detail(c, int(n.i), int(n.j))
	if best := min(pd.d[0], pd.d[1], pd.d[2]); best != n.d {
		t.Errorf("detail of the nearest pair: %v, want a view at %d", pd.d, n.d)
	}
	n = near[nearSum][0]
	pd = detail(c, int(n.i), int(n.j))
	best := 1000
	for _, x := range pd.sum {
		if x >= 0 {
			best = min(best, x)
		}
	}
	if best != n.d {
		t.Errorf("detail of the nearest pair by sum: %v, want a view at %d", pd.sum, n.d)
	}
}

func TestNewPageSplitsViews(t *testing.T) {
	h := func(b uint64) fingerprint.Hash { return fingerprint.Hash{b} }
	fp := &fingerprint.Fingerprint{Variants: []fingerprint.Variant{
		{Kind: fingerprint.VariantPage, Hash: h(1), Quality: 80},
		{Kind: fingerprint.VariantMirror, Hash: h(2), Quality: 80},
		{Kind: fingerprint.VariantTop, Hash: h(3), Quality: fingerprint.MinQuality - 1},
		{Kind: fingerprint.VariantTopMirror, Hash: h(4), Quality: 90},
		{Kind: fingerprint.VariantBottom, Hash: h(5), Quality: 90},
	}}
	p := newPage(testpages.Spec{}, fp)
	if !p.refOK[0] || p.ref[0] != h(1) || p.refOK[1] || !p.refOK[2] || p.ref[2] != h(5) {
		t.Errorf("references %v %v", p.refOK, p.ref)
	}
	if len(p.q[0]) != 2 || len(p.q[1]) != 1 || p.q[1][0] != h(4) || p.qKind[1][0] != fingerprint.VariantTopMirror || len(p.q[2]) != 1 {
		t.Errorf("query codes %v %v", p.q, p.qKind)
	}
	if p.lookups != [nViews]int{2, 2, 1} {
		t.Errorf("lookups %v, want [2 2 1]", p.lookups)
	}
}

func TestBinomialCDF(t *testing.T) {
	// Direct sum for n = 10, p = 0.3.
	var want float64
	for k := 0; k <= 4; k++ {
		want += float64(choose(10, k)) * math.Pow(0.3, float64(k)) * math.Pow(0.7, float64(10-k))
	}
	if got := binomialCDF(4, 10, 0.3); math.Abs(got-want) > 1e-12 {
		t.Errorf("binomialCDF(4, 10, 0.3) = %v, want %v", got, want)
	}
	if got := binomialCDF(0, 128, 0.5); math.Abs(got/math.Pow(2, -128)-1) > 1e-9 {
		t.Errorf("binomialCDF(0, 128, 0.5) = %v, want 2^-128", got)
	}
	if binomialCDF(-1, 10, 0.3) != 0 || binomialCDF(10, 10, 0.3) != 1 {
		t.Error("binomialCDF out of range")
	}
}

func choose(n, k int) int {
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
	}
	return r
}

// TestFitBinomial fits the model to exact binomial counts: 256-bit codes
// with 128 independent pairs of bits give d = 2·Binomial(128, 1/2).
func TestFitBinomial(t *testing.T) {
	var h robustness.Histogram
	for k := 0; k <= 128; k++ {
		h[2*k] = uint64(math.Round(1e15 * math.Exp(lchoose(128, k)-128*math.Ln2)))
	}
	b, ok := fitBinomial(&h, 256)
	if !ok || b.n != 128 || math.Abs(b.m-0.5) > 1e-9 {
		t.Fatalf("fit %+v, want n 128, m 0.5", b)
	}
	want := binomialCDF(40, 128, 0.5)
	if got := b.CDF(80); math.Abs(got/want-1) > 1e-9 {
		t.Errorf("CDF(80) = %v, want %v", got, want)
	}
	if _, ok := fitBinomial(new(robustness.Histogram), 256); ok {
		t.Error("an empty histogram should not fit")
	}
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// TestLocalTail fits an exactly exponential tail: CDF(d) = 2^(d-100) for
// d <= 100, counted in 1e9 pairs.
func TestLocalTail(t *testing.T) {
	var h robustness.Histogram
	var prev uint64
	for d := 60; d <= 100; d++ {
		c := uint64(math.Round(1e9 * math.Exp2(float64(d-100))))
		h[d] = c - prev
		prev = c
	}
	// Points from the 10th pair up to 1e6 pairs: d = 71..90.
	p, ok := localTail(&h, 1e6, 50)
	if want := math.Exp2(-50); !ok || math.Abs(p/want-1) > 0.05 {
		t.Errorf("localTail(50) = %v, %v; want about %v", p, ok, want)
	}
	if _, ok := localTail(&h, 20, 50); ok {
		t.Error("two points should not fit")
	}
}

// TestJointHist counts the pairs with dd <= dt by d, the rest of the total
// at the top bucket, and the joint counts' table sums.
func TestJointHist(t *testing.T) {
	var jv jointView
	jv[40][80], jv[40][81], jv[50][10], jv[90][256] = 2, 5, 3, 7
	h := jointHist(&jv, 100, 80)
	if h[40] != 2 || h[50] != 3 || h[90] != 0 || h[len(h)-1] != 95 || h.Total() != 100 {
		t.Errorf("jointHist: 40:%d 50:%d 90:%d top:%d total %d", h[40], h[50], h[90], h[len(h)-1], h.Total())
	}
	if n, least := jointCount(&jv, 50, 80); n != 5 || least != 10 {
		t.Errorf("jointCount(50, 80) = %d, %d; want 5, 10", n, least)
	}
	if n, least := jointCount(&jv, 45, math.MaxInt); n != 7 || least != 80 {
		t.Errorf("jointCount(45, all) = %d, %d; want 7, 80", n, least)
	}
}
