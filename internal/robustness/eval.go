// Package robustness measures how well a page hash survives pirate edits
// and how far it keeps different pages apart. It drives the robustness
// benchmark (benchmarks/cmd/robustness) and the recall tests.
package robustness

import (
	"cmp"
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// Code is one hash a method produces for an image.
type Code struct {
	Hash fingerprint.Hash
	// Detail is the detail hash that confirms a match, zero if the
	// method has none.
	Detail  fingerprint.Hash
	Quality int
	// Kind is, for a reference's code, the view it hashes; for a query's,
	// the view of a reference it is compared with (see
	// fingerprint.VariantKind.Target). Methods with one view leave it
	// VariantPage.
	Kind fingerprint.VariantKind
	// Variant is the variant a query's code came from (its Kind is the
	// view it targets), for listings.
	Variant fingerprint.VariantKind
}

// A Method hashes pages. Reference gives the codes an index stores, the
// page's first and at most one of each Kind; Query gives the codes a lookup
// tries (variants), each compared with the reference codes of its Kind.
// Matchable says whether a code may match at all (the quality rule).
type Method struct {
	Name      string
	Bits      int
	Reference func(img image.Image) ([]Code, error)
	Query     func(img image.Image) ([]Code, error)
	Matchable func(c Code) bool
}

// Config says what to measure.
type Config struct {
	Series     []int    // series whose pages are indexed
	Pages      int      // pages 0..Pages-1 of each series are references
	Distractor int      // pages Pages..Pages+Distractor-1 are queried, never indexed
	Families   []string // pirate families; each is applied once to every reference
	Width      int      // page size; 0 is the generator's default
	Height     int
	Seed       uint64
	Workers    int
	// NearWithin, when positive, has every non-matching pair within that
	// distance listed in MethodResult.Near: which pages make the lower
	// tail of the non-match distribution.
	NearWithin int
	// ListMisses has every query that missed its page listed in
	// MethodResult.Misses.
	ListMisses bool
	// DetailThreshold is the detail distance that confirms a match
	// (fingerprint.DetailMatch): 0 means
	// fingerprint.DefaultDetailThreshold, negative turns the check off.
	DetailThreshold int
}

// FamilyResult is the outcome of one pirate family for one method.
type FamilyResult struct {
	Family  string
	Queries int
	Hits    int // the right page was within the threshold
	Wrong   int // some other page was within the threshold
	Errors  int // transform or hash failed
	// Distances of the right pair (best variant), for the matched-distance
	// distribution.
	Match Histogram
	// MatchDetail counts, for each query with a pair within the threshold
	// of its page, the least detail distance of those pairs: the recall
	// at any detail threshold T is MatchDetail's count up to T over
	// Queries.
	MatchDetail Histogram
}

// RecallAt is the recall with the detail check at threshold t.
func (f FamilyResult) RecallAt(t int) float64 {
	if f.Queries == 0 {
		return 0
	}
	return float64(f.MatchDetail.Upto(t)) / float64(f.Queries)
}

// Recall is Hits/Queries.
func (f FamilyResult) Recall() float64 {
	if f.Queries == 0 {
		return 0
	}
	return float64(f.Hits) / float64(f.Queries)
}

// MethodResult is everything measured for one method.
type MethodResult struct {
	Method    string
	Bits      int
	Threshold int
	Families  []FamilyResult
	// NonMatch counts distances of every pair of a query code and a
	// reference of a different page: distractors and transformed pages
	// against all other references.
	NonMatch Histogram
	// NonMatchByView splits NonMatch by the reference view compared
	// (fingerprint.VariantPage, VariantTop, VariantBottom): the whole pages
	// and the halves are different populations with tails of their own.
	NonMatchByView map[fingerprint.VariantKind]*Histogram
	// NonMatchByPage counts, for every query and every reference page
	// other than its own, the least distance over all the pairs of a
	// query code and a reference view that NonMatch counts: the event
	// "this query falsely matches that page" is this distance within the
	// threshold. A query's variants are near one another, so its chances
	// of a false match are not lookups independent draws; this histogram
	// needs no such assumption.
	NonMatchByPage Histogram
	// SumByView and SumByPage are NonMatchByView and NonMatchByPage for
	// the sum of a pair's hash and detail distances. A pair that matches
	// with the detail check (hash within Threshold, detail within
	// DetailThreshold) has a sum within their sum, so the tail of the
	// sum bounds the false-match rate with the check without assuming
	// the two hashes independent. Empty for methods without details.
	SumByView map[fingerprint.VariantKind]*Histogram
	SumByPage Histogram
	// DetailThreshold is the detail check's threshold; negative if off.
	DetailThreshold int
	// LookupsByView is the mean number of query codes per query that
	// target each reference view.
	LookupsByView map[fingerprint.VariantKind]float64
	// DistractorMatches counts distractor pages that matched a reference.
	DistractorMatches int
	Distractors       int
	// LowQualityRefs counts references below the quality rule.
	LowQualityRefs int
	// Lookups is the mean number of codes per query.
	Lookups float64
	// Near lists the non-matching pairs within Config.NearWithin, nearest
	// first.
	Near []NearPair
	// Misses lists, with Config.ListMisses, the queries that missed their
	// page, by family and page.
	Misses []Miss
}

// Miss is a query that did not find its page.
type Miss struct {
	Query  testpages.Spec
	Family string
	// Distance is the nearest any query code came to the page (257 if no
	// code could be compared), through variant Variant.
	Distance int
	Variant  fingerprint.VariantKind
}

// NearPair is a non-matching pair of a query code and a reference code.
type NearPair struct {
	Query     testpages.Spec // the page the query was made from
	Family    string         // its pirate family; "" for a distractor
	QueryKind fingerprint.VariantKind
	Ref       testpages.Spec
	RefKind   fingerprint.VariantKind // the reference's view
	Distance  int
	Detail    int // detail distance, -1 if either code has none
}

// WrongMatches is the number of queries that matched a wrong page.
func (m MethodResult) WrongMatches() int {
	n := m.DistractorMatches
	for _, f := range m.Families {
		n += f.Wrong
	}
	return n
}

type query struct {
	img  image.Image
	ref  int            // index of the right reference, -1 for a distractor
	spec testpages.Spec // the page it was made from
}

// Run measures every method on the same pages and transforms. thresholds
// gives each method's threshold, by name.
func Run(ctx context.Context, cfg Config, methods []Method, thresholds map[string]int) ([]MethodResult, error) {
	if cfg.DetailThreshold == 0 {
		cfg.DetailThreshold = fingerprint.DefaultDetailThreshold
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var specs []testpages.Spec
	for _, s := range cfg.Series {
		for p := 0; p < cfg.Pages; p++ {
			specs = append(specs, testpages.Spec{Series: s, Page: p, Width: cfg.Width, Height: cfg.Height})
		}
	}
	// Reference codes.
	refs := make([][][]Code, len(methods))
	for i := range refs {
		refs[i] = make([][]Code, len(specs))
	}
	err := parallel(ctx, workers, len(specs), func(i int) error {
		img := testpages.Page(specs[i])
		for m, meth := range methods {
			c, err := meth.Reference(img)
			if err != nil {
				return fmt.Errorf("robustness: %s reference %+v: %w", meth.Name, specs[i], err)
			}
			refs[m][i] = c
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	results := make([]MethodResult, len(methods))
	for m, meth := range methods {
		results[m] = MethodResult{Method: meth.Name, Bits: meth.Bits, Threshold: thresholds[meth.Name],
			NonMatchByView: map[fingerprint.VariantKind]*Histogram{}, LookupsByView: map[fingerprint.VariantKind]float64{},
			SumByView: map[fingerprint.VariantKind]*Histogram{}, DetailThreshold: cfg.DetailThreshold}
		for _, f := range cfg.Families {
			results[m].Families = append(results[m].Families, FamilyResult{Family: f})
		}
		for _, c := range refs[m] {
			if !meth.Matchable(c[0]) {
				results[m].LowQualityRefs++
			}
		}
	}
	var mu sync.Mutex
	codes := make([][2]float64, len(methods)) // codes looked up, queries
	// One job per (reference, family) plus one per distractor.
	nDistract := len(cfg.Series) * cfg.Distractor
	jobs := len(specs)*len(cfg.Families) + nDistract
	err = parallel(ctx, workers, jobs, func(j int) error {
		q, err := makeQuery(cfg, specs, j)
		fam := -1
		if j < len(specs)*len(cfg.Families) {
			fam = j % len(cfg.Families)
		}
		if err != nil {
			mu.Lock()
			for m := range results {
				results[m].Families[fam].Errors++
			}
			mu.Unlock()
			return nil
		}
		for m, meth := range methods {
			qc, err := meth.Query(q.img)
			local := evalQuery(meth, refs[m], qc, q.ref, results[m].Threshold, cfg.DetailThreshold, cfg.NearWithin)
			mu.Lock()
			r := &results[m]
			for k, h := range local.byView {
				if r.NonMatchByView[k] == nil {
					r.NonMatchByView[k] = new(Histogram)
				}
				r.NonMatchByView[k].Add(h)
				r.NonMatch.Add(h)
			}
			r.NonMatchByPage.Add(&local.byPage)
			for k, h := range local.sumByView {
				if r.SumByView[k] == nil {
					r.SumByView[k] = new(Histogram)
				}
				r.SumByView[k].Add(h)
			}
			r.SumByPage.Add(&local.sumByPage)
			for _, c := range qc {
				r.LookupsByView[c.Kind]++
			}
			for _, n := range local.near {
				famName := ""
				if fam >= 0 {
					famName = cfg.Families[fam]
				}
				r.Near = append(r.Near, NearPair{Query: q.spec, Family: famName, QueryKind: n.qkind,
					Ref: specs[n.ref], RefKind: n.rkind, Distance: n.d, Detail: n.dd})
			}
			codes[m][0] += float64(len(qc))
			codes[m][1]++
			if fam < 0 {
				r.Distractors++
				if local.wrong {
					r.DistractorMatches++
				}
			} else {
				f := &r.Families[fam]
				f.Queries++
				switch {
				case err != nil:
					f.Errors++
				default:
					if local.hit {
						f.Hits++
					} else if cfg.ListMisses {
						r.Misses = append(r.Misses, Miss{Query: q.spec, Family: f.Family, Distance: local.best, Variant: local.bestVariant})
					}
					if local.wrong {
						f.Wrong++
					}
					if local.best >= 0 {
						f.Match[local.best]++
					}
					if local.bestDetail < len(f.MatchDetail) {
						f.MatchDetail[local.bestDetail]++
					}
				}
			}
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for m := range results {
		results[m].Lookups = codes[m][0] / codes[m][1]
		for k := range results[m].LookupsByView {
			results[m].LookupsByView[k] /= codes[m][1]
		}
		slices.SortFunc(results[m].Misses, func(a, b Miss) int {
			return cmp.Or(cmp.Compare(a.Family, b.Family), cmp.Compare(a.Query.Series, b.Query.Series), cmp.Compare(a.Query.Page, b.Query.Page))
		})
		slices.SortFunc(results[m].Near, func(a, b NearPair) int {
			return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.Query.Series, b.Query.Series),
				cmp.Compare(a.Query.Page, b.Query.Page), cmp.Compare(a.Family, b.Family),
				cmp.Compare(a.QueryKind, b.QueryKind), cmp.Compare(a.Ref.Series, b.Ref.Series),
				cmp.Compare(a.Ref.Page, b.Ref.Page), cmp.Compare(a.RefKind, b.RefKind))
		})
	}
	return results, nil
}

type queryResult struct {
	// byView counts the non-matching pairs by the reference view compared.
	byView map[fingerprint.VariantKind]*Histogram
	// byPage counts, per wrong reference page, the least distance of
	// the pairs byView counts.
	byPage Histogram
	// sumByView and sumByPage are byView and byPage for the sum of the
	// pair's hash and detail distances, for pairs whose codes both carry
	// a detail hash.
	sumByView map[fingerprint.VariantKind]*Histogram
	sumByPage Histogram
	near      []nearCode // non-matching pairs within the listing distance
	hit       bool       // right page within threshold, detail confirmed
	wrong     bool       // a wrong page within threshold, detail confirmed
	best      int        // distance to the right page, best code; -1 if none
	// bestVariant is the query variant that came nearest the right page.
	bestVariant fingerprint.VariantKind
	// bestDetail is the least detail distance of the right page's pairs
	// within threshold: the largest detail threshold that would lose the
	// query. noDetail if none is within threshold; 0 if one has no
	// detail hash.
	bestDetail int
}

// noDetail marks a query with no pair within threshold of its page.
const noDetail = 1 << 20

// nearCode is a non-matching pair of evalQuery: reference ref's code of
// kind rkind against a query code of the original kind qkind; dd is the
// detail distance, -1 without details.
type nearCode struct {
	ref, d, dd   int
	qkind, rkind fingerprint.VariantKind
}

// evalQuery compares a query's codes with every reference. A pair matches
// when its hashes are within threshold and, unless detail is negative, its
// detail hashes confirm it at detail (fingerprint.DetailMatch).
func evalQuery(meth Method, refs [][]Code, qc []Code, right, threshold, detail, nearWithin int) queryResult {
	r := queryResult{best: -1, bestDetail: noDetail,
		byView: map[fingerprint.VariantKind]*Histogram{}, sumByView: map[fingerprint.VariantKind]*Histogram{}}
	count := func(m map[fingerprint.VariantKind]*Histogram, k fingerprint.VariantKind, d int) {
		h := m[k]
		if h == nil {
			h = new(Histogram)
			m[k] = h
		}
		h[d]++
	}
	for i, codes := range refs {
		bestD, bestV := noDetail, fingerprint.VariantPage
		// least distance, and least sum, of the pairs counted as non-matching
		wrongD, wrongSum := noDetail, noDetail
		for _, rc := range codes {
			for _, c := range qc {
				if c.Kind != rc.Kind {
					continue
				}
				d := c.Hash.Distance(rc.Hash)
				if d < bestD {
					bestD, bestV = d, c.Variant
				}
				// Only pairs that the quality rule lets match can be false
				// matches, so only they make the non-match distribution.
				if !meth.Matchable(c) || !meth.Matchable(rc) {
					continue
				}
				dd, hasDetail := 0, !c.Detail.IsZero() && !rc.Detail.IsZero()
				if hasDetail {
					dd = c.Detail.Distance(rc.Detail)
				}
				match := d <= threshold && (detail < 0 || dd <= detail)
				if i == right {
					r.hit = r.hit || match
					if d <= threshold {
						r.bestDetail = min(r.bestDetail, dd)
					}
					continue
				}
				r.wrong = r.wrong || match
				count(r.byView, rc.Kind, d)
				wrongD = min(wrongD, d)
				near := nearCode{ref: i, d: d, dd: -1, qkind: c.Variant, rkind: rc.Kind}
				if hasDetail {
					count(r.sumByView, rc.Kind, d+dd)
					wrongSum = min(wrongSum, d+dd)
					near.dd = dd
				}
				if nearWithin > 0 && d <= nearWithin {
					r.near = append(r.near, near)
				}
			}
		}
		switch {
		case i == right:
			r.best, r.bestVariant = min(bestD, fingerprint.HashBits+1), bestV
		case wrongD != noDetail:
			r.byPage[wrongD]++
			if wrongSum != noDetail {
				r.sumByPage[wrongSum]++
			}
		}
	}
	return r
}

// makeQuery builds query j: a pirated reference or a distractor page. Each
// job has its own random stream, so results do not depend on scheduling.
func makeQuery(cfg Config, specs []testpages.Spec, j int) (query, error) {
	nf := len(cfg.Families)
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(j)))
	if j >= len(specs)*nf {
		d := j - len(specs)*nf
		s := testpages.Spec{Series: cfg.Series[d%len(cfg.Series)], Page: cfg.Pages + d/len(cfg.Series),
			Width: cfg.Width, Height: cfg.Height}
		return query{img: testpages.Page(s), ref: -1, spec: s}, nil
	}
	ref, fam := j/nf, cfg.Families[j%nf]
	s := specs[ref]
	img, err := applyFamily(fam, s, otherPage(cfg, s, rng), rng)
	return query{img: img, ref: ref, spec: s}, err
}

// otherPage is the spread partner: a distractor page of the same series,
// so that matching it would be a false match.
func otherPage(cfg Config, s testpages.Spec, rng *rand.Rand) testpages.Spec {
	o := s
	o.Page = cfg.Pages + rng.IntN(max(cfg.Distractor, 1))
	return o
}

// parallel runs f(0..n-1) on workers goroutines and returns the first error.
func parallel(ctx context.Context, workers, n int, f func(i int) error) error {
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// applyFamily applies a random transform of family fam to the page of s.
// Spreads pair the page with other, a page that is never indexed.
func applyFamily(fam string, s, other testpages.Spec, rng *rand.Rand) (image.Image, error) {
	if fam == "spread" {
		onRight := rng.IntN(2) == 0
		gutter := 0.02 * rng.Float64()
		scale := 0.5 + 0.3*rng.Float64()
		return pirate.Spread(testpages.Page(s), testpages.Page(other), onRight, gutter, scale), nil
	}
	return pirate.Random(fam, rng).Run(s, rng)
}
