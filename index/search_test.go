package index

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
)

func sameMatches(t *testing.T, what string, got, want []Match) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d matches, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Distance != w.Distance || g.Quality != w.Quality || g.Hash != w.Hash || !reflect.DeepEqual(g.Meta, w.Meta) {
			t.Fatalf("%s: match %d = %+v, want %+v", what, i, g, w)
		}
	}
}

// TestSearchExact compares Search with a linear scan on random and
// clustered data, at several radii and substring counts, with queries
// planted near entries, drawn near cluster bases and drawn at random.
func TestSearchExact(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n, m      int
		clustered bool
	}{
		{"random-auto", 20000, 0, false},
		{"clustered-auto", 20000, 0, true},
		{"clustered-m8", 5000, 8, true},
		{"random-m16", 5000, 16, false},
		{"clustered-m32", 3000, 32, true},
		{"tiny-linear", 500, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.n)))
			es := testEntries(rng, tc.n, tc.clustered)
			ix := mustBuild(t, es, nil, WithSubstrings(tc.m))
			var dst []Match
			for qi := 0; qi < 60; qi++ {
				var q fingerprint.Hash
				switch qi % 3 {
				case 0:
					q = flip(rng, es[rng.IntN(len(es))].Hash, rng.IntN(49))
				case 1:
					q = flip(rng, es[rng.IntN(len(es))].Hash, 40+rng.IntN(31))
				default:
					q = randHash(rng)
				}
				for _, r := range []int{0, 1, 7, 24, 32, 40, 48, 64, 100} {
					dst = ix.Search(q, r, dst[:0])
					sameMatches(t, "search", dst, linear(es, q, r))
				}
			}
		})
	}
}

// TestProbeList checks that the precomputed probe masks and the
// enumeration used when a list would be too long give the same buckets.
func TestProbeList(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	hs := make([]fingerprint.Hash, 1<<14)
	for i := range hs {
		hs[i] = randHash(rng)
	}
	slices.SortFunc(hs, func(a, b fingerprint.Hash) int { return cmpHash(&a, &b) })
	x := buildMIH(hs, 12)
	for i := range x.tabs {
		c := x.tabs[i].dirBits()
		for r := 0; r <= 4; r++ {
			pl := probeListFor(c, r)
			if pl == nil {
				continue
			}
			if len(pl.masks) != pl.ends[len(pl.ends)-1] {
				t.Fatalf("c=%d r=%d: %d masks, ends %v", c, r, len(pl.masks), pl.ends)
			}
			key := x.tabs[i].key(&hs[rng.IntN(len(hs))])
			got, gn := x.probe(i, r, key, pl, nil)
			want, wn := x.probe(i, r, key, nil, nil)
			if !slices.Equal(got, want) || gn != wn {
				t.Fatalf("table %d c=%d r=%d: list and enumeration differ", i, c, r)
			}
		}
	}
	if probeListFor(24, 8) != nil {
		t.Fatal("a list of more than maxProbeList masks was kept")
	}
}

func TestSearchEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	q := randHash(rng)
	empty := mustBuild(t, nil, nil)
	for _, r := range []int{-1, 0, 40, 256, 1000} {
		if ms := empty.Search(q, r, nil); len(ms) != 0 {
			t.Errorf("empty index, radius %d: %v", r, ms)
		}
	}
	if _, ok := empty.Nearest(q); ok {
		t.Error("Nearest on an empty index")
	}
	if ms := empty.Lookup(&fingerprint.Fingerprint{Hash: q, Quality: 90}); ms != nil {
		t.Errorf("Lookup on an empty index: %v", ms)
	}

	one := []Entry{{ID: "only", Hash: q, Quality: 80}}
	ix := mustBuild(t, one, nil)
	for _, tc := range []struct {
		h    fingerprint.Hash
		r, n int
	}{{q, 0, 1}, {q, -1, 0}, {flip(rng, q, 1), 0, 0}, {flip(rng, q, 1), 1, 1}, {flip(rng, q, 255), 254, 0}, {flip(rng, q, 255), 255, 1}, {flip(rng, q, 256), 255, 0}, {flip(rng, q, 256), 256, 1}, {q, 1 << 30, 1}} {
		if ms := ix.Search(tc.h, tc.r, nil); len(ms) != tc.n {
			t.Errorf("one entry, radius %d: %d matches, want %d", tc.r, len(ms), tc.n)
		}
	}

	// Many entries sharing hashes, and near-identical hashes, under many
	// IDs, with tables forced on.
	var es []Entry
	for i := 0; i < 3000; i++ {
		h := q
		if i%3 != 0 {
			h = flip(rng, q, rng.IntN(6))
		}
		es = append(es, Entry{ID: fmt.Sprintf("dup-%04d", i), Hash: h, Quality: 50})
	}
	es = append(es, testEntries(rng, 3000, true)...)
	for _, m := range []int{0, 8, 20} {
		ix := mustBuild(t, es, nil, WithSubstrings(m))
		for _, r := range []int{0, 3, 40, 255, 256} {
			sameMatches(t, fmt.Sprintf("dups m=%d r=%d", m, r), ix.Search(q, r, nil), linear(es, q, r))
		}
	}
}

func TestNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	es := testEntries(rng, 20000, true)
	ix := mustBuild(t, es, nil)
	for i := 0; i < 20; i++ {
		q := randHash(rng)
		if i%2 == 0 {
			q = flip(rng, es[rng.IntN(len(es))].Hash, rng.IntN(60))
		}
		want := linear(es, q, 256)[0]
		got, ok := ix.Nearest(q)
		if !ok || got.ID != want.ID || got.Distance != want.Distance {
			t.Fatalf("Nearest = %+v, want %+v", got, want)
		}
	}
}

func TestLookup(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	page := randHash(rng)
	mirror := randHash(rng)
	es := []Entry{
		{ID: "page", Hash: flip(rng, page, 10), Quality: 80, Meta: Meta{{"work", "w"}}},
		{ID: "page-near", Hash: flip(rng, page, 30), Quality: 80},
		{ID: "blank", Hash: flip(rng, page, 5), Quality: fingerprint.MinQuality - 1},
		{ID: "mirrored", Hash: flip(rng, mirror, 3), Quality: 90},
		{ID: "both", Hash: flip(rng, page, 20), Quality: 70},
	}
	es = append(es, testEntries(rng, 5000, true)...)
	ix := mustBuild(t, es, nil)
	both := es[4].Hash
	fp := &fingerprint.Fingerprint{
		Hash: page, Quality: 70,
		Variants: []fingerprint.Variant{
			{Kind: fingerprint.VariantPage, Hash: page, Quality: 70},
			{Kind: fingerprint.VariantMirror, Hash: mirror, Quality: 70},
			{Kind: fingerprint.VariantLeft, Hash: both, Quality: 70},        // "both" at distance 0
			{Kind: fingerprint.VariantRight, Hash: es[1].Hash, Quality: 10}, // too blank to search
			{Kind: fingerprint.VariantTop, Hash: es[3].Hash, Quality: 70},   // a half: no page view
		},
	}
	ms := ix.Lookup(fp)
	type m struct {
		id   string
		d    int
		kind fingerprint.VariantKind
	}
	var got []m
	for _, x := range ms {
		got = append(got, m{x.ID, x.Distance, x.Variant})
	}
	want := []m{{"both", 0, fingerprint.VariantLeft}, {"mirrored", 3, fingerprint.VariantMirror}, {"page", 10, fingerprint.VariantPage}, {"page-near", 30, fingerprint.VariantPage}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Lookup = %v, want %v", got, want)
	}
	if v, ok := ms[2].Meta.Get("work"); !ok || v != "w" {
		t.Errorf("Meta = %v", ms[2].Meta)
	}
	if ms := ix.Lookup(fp, WithThreshold(12)); len(ms) != 3 {
		t.Errorf("WithThreshold(12): %d matches", len(ms))
	}
	if ms := ix.Lookup(fp, WithLimit(2)); len(ms) != 2 || ms[1].ID != "mirrored" {
		t.Errorf("WithLimit(2): %v", ms)
	}
	low := *fp
	low.Quality = fingerprint.MinQuality - 1
	if ms := ix.Lookup(&low); ms != nil {
		t.Errorf("unmatchable fingerprint matched %v", ms)
	}
	if ix.Lookup(nil) != nil {
		t.Error("Lookup(nil)")
	}
	// Without variants, the hash is the page.
	bare := &fingerprint.Fingerprint{Hash: page, Quality: 70}
	if ms := ix.Lookup(bare); len(ms) != 3 || ms[0].ID != "page" {
		t.Errorf("bare Lookup = %v", ms)
	}
	// The threshold given at load time is the default.
	ix12, err := NewBuilderFrom(es).Index(WithThreshold(12))
	if err != nil {
		t.Fatal(err)
	}
	if ms := ix12.Lookup(bare); len(ms) != 1 || ix12.Threshold() != 12 {
		t.Errorf("index threshold 12: %v", ms)
	}
	if _, err := NewBuilderFrom(es).Index(WithThreshold(-1)); err == nil {
		t.Error("negative threshold accepted")
	}
}

// NewBuilderFrom is a test helper: a builder holding es.
func NewBuilderFrom(es []Entry) *Builder {
	b := NewBuilder()
	for _, e := range es {
		if err := b.Add(e); err != nil {
			panic(err)
		}
	}
	return b
}

// TestConcurrent runs lookups from several goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	es := testEntries(rng, 20000, true)
	ix := mustBuild(t, es, nil)
	qs := make([]fingerprint.Hash, 64)
	for i := range qs {
		qs[i] = flip(rng, es[rng.IntN(len(es))].Hash, rng.IntN(41))
	}
	want := make([][]Match, len(qs))
	for i, q := range qs {
		want[i] = ix.Search(q, 40, nil)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dst []Match
			for k := 0; k < 200; k++ {
				i := (k*7 + g) % len(qs)
				dst = ix.Search(qs[i], 40, dst[:0])
				if len(dst) != len(want[i]) {
					t.Errorf("goroutine %d: %d matches, want %d", g, len(dst), len(want[i]))
					return
				}
				ix.Lookup(&fingerprint.Fingerprint{Hash: qs[i], Quality: 60})
			}
		}()
	}
	wg.Wait()
}

// TestAllocs pins the allocation contract: a lookup that finds nothing
// allocates nothing; Search into a reused dst allocates only the IDs.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	rng := rand.New(rand.NewPCG(19, 20))
	es := testEntries(rng, 20000, true)
	ix := mustBuild(t, es, nil)
	miss := &fingerprint.Fingerprint{Hash: randHash(rng), Quality: 60}
	if a := testing.AllocsPerRun(100, func() { ix.Lookup(miss) }); a != 0 {
		t.Errorf("Lookup miss: %v allocations", a)
	}
	// Hits that the detail check rejects are no matches either.
	ixd := mustBuild(t, withDetails(rng, es), nil)
	e := es[1]
	far := &fingerprint.Fingerprint{Hash: e.Hash, Quality: 60, Variants: []fingerprint.Variant{
		{Kind: fingerprint.VariantPage, Hash: e.Hash, Detail: fingerprint.Hash{^e.Detail[0], ^e.Detail[1], ^e.Detail[2], ^e.Detail[3]}, Quality: 60}}}
	if len(ixd.Search(e.Hash, 0, nil)) == 0 || e.Detail.IsZero() || len(ixd.Lookup(far)) != 0 {
		t.Fatal("the rejected query is not set up")
	}
	if a := testing.AllocsPerRun(100, func() { ixd.Lookup(far) }); a != 0 {
		t.Errorf("Lookup rejected by detail: %v allocations", a)
	}
	q := es[1].Hash // entry 1 has no metadata
	dst := make([]Match, 0, 16)
	n := len(ix.Search(q, 0, dst))
	if a := testing.AllocsPerRun(100, func() { ix.Search(q, 0, dst[:0]) }); a != float64(n) {
		t.Errorf("Search hit: %v allocations for %d matches", a, n)
	}
}
