package main

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/robustness"
	"github.com/pagematch/pagematch/internal/testpages"
)

// The reference views an index with regions stores, in report order.
var views = [...]fingerprint.VariantKind{fingerprint.VariantPage, fingerprint.VariantTop, fingerprint.VariantBottom}

const nViews = len(views)

// viewIndex is the position in views of a reference view (a Target kind).
func viewIndex(k fingerprint.VariantKind) int {
	switch k {
	case fingerprint.VariantTop:
		return 1
	case fingerprint.VariantBottom:
		return 2
	}
	return 0
}

// page is one fingerprinted page as the pair scan needs it: the reference
// codes it stores and the query codes a lookup of it tries, by view.
type page struct {
	spec testpages.Spec
	// ref[v] is the reference code of view v; refOK[v] says it exists and
	// passes the quality rule.
	ref   [nViews]fingerprint.Hash
	refOK [nViews]bool
	// q[v] are the query codes that target view v and pass the quality
	// rule, qKind[v] their variant kinds.
	q     [nViews][]fingerprint.Hash
	qKind [nViews][]fingerprint.VariantKind
	// lookups[v] counts every query code that targets view v, matchable or
	// not, as the robustness harness counts lookups.
	lookups [nViews]int
}

// newPage splits fp's variants as internal/robustness's refCodes and
// queryCodes do, keeping only codes with Quality >= fingerprint.MinQuality
// for the comparisons (Method.Matchable of pagematch).
func newPage(s testpages.Spec, fp *fingerprint.Fingerprint) page {
	p := page{spec: s}
	for _, v := range fp.Variants {
		t := viewIndex(v.Kind.Target())
		ok := v.Quality >= fingerprint.MinQuality
		if v.Kind == v.Kind.Target() && !p.refOK[t] {
			p.ref[t], p.refOK[t] = v.Hash, ok
		}
		p.lookups[t]++
		if ok {
			p.q[t] = append(p.q[t], v.Hash)
			p.qKind[t] = append(p.qKind[t], v.Kind)
		}
	}
	return p
}

// corpus lays the reference codes out per view for the scan.
type corpus struct {
	pages []page
	// levels are the nested samples: pairs among pages 0..levels[l]-1. The
	// last level is every page.
	levels []int
	// refs[v] are the matchable reference codes of view v in page order,
	// refPage[v] their pages; seg[v][l] is the first position in refs[v]
	// of a page >= levels[l-1] (seg[v][0] = 0, seg[v][len(levels)] = end).
	refs    [nViews][]fingerprint.Hash
	refPage [nViews][]int32
	seg     [nViews][]int
}

func newCorpus(pages []page, subsamples []int) *corpus {
	c := &corpus{pages: pages}
	for _, l := range subsamples {
		if l > 0 && l < len(pages) && (len(c.levels) == 0 || l > c.levels[len(c.levels)-1]) {
			c.levels = append(c.levels, l)
		}
	}
	c.levels = append(c.levels, len(pages))
	for v := range views {
		for i, p := range pages {
			if p.refOK[v] {
				c.refs[v] = append(c.refs[v], p.ref[v])
				c.refPage[v] = append(c.refPage[v], int32(i))
			}
		}
		c.seg[v] = []int{0}
		for _, l := range c.levels {
			c.seg[v] = append(c.seg[v], sort.Search(len(c.refPage[v]), func(k int) bool { return int(c.refPage[v][k]) >= l }))
		}
	}
	return c
}

// level is the smallest level that holds page i.
func (c *corpus) level(i int) int {
	l := 0
	for i >= c.levels[l] {
		l++
	}
	return l
}

// tally is what the scan counts, per level: pairs (i, j) of distinct pages
// with both below levels[l].
type tally struct {
	// byView[l][v] counts the distances of every matchable query code of i
	// against j's reference code of view v: the population of the
	// robustness harness's NonMatchByView.
	byView [][nViews]robustness.Histogram
	// query[l] counts, per ordered pair (i, j), the smallest distance over
	// all those comparisons: "a lookup of i would match j".
	query []robustness.Histogram
	// none[l] counts the pairs with no comparison at all (quality rule).
	none []uint64
	// near[v] are the closest ordered pairs (i, j) by their nearest
	// comparison in view v; near[nViews] by the nearest in any view.
	near [nViews + 1][]nearPair
}

func newTally(levels int) *tally {
	return &tally{byView: make([][nViews]robustness.Histogram, levels),
		query: make([]robustness.Histogram, levels), none: make([]uint64, levels)}
}

func (t *tally) add(o *tally) {
	for l := range t.query {
		for v := range views {
			t.byView[l][v].Add(&o.byView[l][v])
		}
		t.query[l].Add(&o.query[l])
		t.none[l] += o.none[l]
	}
	for v := range t.near {
		t.near[v] = append(t.near[v], o.near[v]...)
	}
}

// nearPair is an ordered pair of pages, query i against reference j, with
// the smallest distance of its comparisons.
type nearPair struct {
	i, j int32
	d    int
}

func compareNear(a, b nearPair) int {
	return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.i, b.i), cmp.Compare(a.j, b.j))
}

// keepNear inserts p into the sorted list near of at most k pairs.
func keepNear(near []nearPair, p nearPair, k int) []nearPair {
	if len(near) == k && compareNear(p, near[k-1]) >= 0 {
		return near
	}
	at, _ := slices.BinarySearchFunc(near, p, compareNear)
	near = slices.Insert(near, at, p)
	return near[:min(len(near), k)]
}

func distance(a, b *fingerprint.Hash) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// scanner is one worker's buffers.
type scanner struct {
	c *corpus
	t *tally
	k int
	// mins[v][j] is the smallest distance from the current query to page
	// j in view v.
	mins [nViews][]uint8
	// hist[s][v] counts the current query's distances to the references
	// of view v in segment s (pages levels[s-1]..levels[s]-1).
	hist [][nViews][257]uint32
}

// refBlock is how many reference codes (32 bytes each) the scan takes at
// a time.
const refBlock = 512

// noPair marks a page no code of the query was compared with.
const noPair = 255

// query compares every matchable query code of page i with every other
// page's matchable reference code of the same view and counts the result.
func (s *scanner) query(i int) {
	c := s.c
	for v := range s.mins {
		for j := range s.mins[v] {
			s.mins[v][j] = noPair
		}
	}
	for seg := range s.hist {
		s.hist[seg] = [nViews][257]uint32{}
	}
	for v := range views {
		refs, pages, mins := c.refs[v], c.refPage[v], s.mins[v]
		for seg := range s.hist {
			a, b := c.seg[v][seg], c.seg[v][seg+1]
			h := &s.hist[seg][v]
			rs, ps := refs[a:b], pages[a:b]
			ps = ps[:len(rs)]
			// Blocks of references small enough to stay in the L1 cache
			// while every query code runs over them.
			for len(rs) > 0 {
				n := min(len(rs), refBlock)
				br, bp := rs[:n], ps[:n]
				for qi := range c.pages[i].q[v] {
					q := &c.pages[i].q[v][qi]
					for k := range br {
						d := distance(q, &br[k])
						h[d]++
						if j := bp[k]; uint8(d) < mins[j] {
							mins[j] = uint8(d)
						}
					}
				}
				rs, ps = rs[n:], ps[n:]
			}
		}
	}
	li := c.level(i)
	// The scan compared i with itself too: take those out.
	p := &c.pages[i]
	for v := range views {
		if p.refOK[v] {
			for qi := range p.q[v] {
				s.hist[li][v][distance(&p.q[v][qi], &p.ref[v])]--
			}
		}
	}
	for seg := range s.hist {
		for l := max(li, seg); l < len(c.levels); l++ {
			for v := range views {
				for d, n := range s.hist[seg][v] {
					s.t.byView[l][v][d] += uint64(n)
				}
			}
		}
	}
	lj := 0
	for j := range s.mins[0] {
		if j == i {
			continue
		}
		for j >= c.levels[lj] {
			lj++
		}
		m := min(s.mins[0][j], s.mins[1][j], s.mins[2][j])
		for l := max(li, lj); l < len(c.levels); l++ {
			if m == noPair {
				s.t.none[l]++
			} else {
				s.t.query[l][m]++
			}
		}
		if s.k > 0 {
			s.keep(nViews, i, j, m)
			for v := range views {
				s.keep(v, i, j, s.mins[v][j])
			}
		}
	}
}

// keep offers the ordered pair (i, j) at distance m to near list v.
func (s *scanner) keep(v, i, j int, m uint8) {
	near := s.t.near[v]
	if m != noPair && (len(near) < s.k || int(m) <= near[len(near)-1].d) {
		s.t.near[v] = keepNear(near, nearPair{i: int32(i), j: int32(j), d: int(m)}, s.k)
	}
}

// scan runs every page as a query against all others on workers
// goroutines and keeps the k nearest ordered pairs, in each view and in any. progress, if not nil,
// is called with the number of queries done after each.
func scan(ctx context.Context, c *corpus, workers, k int, progress func(done int)) (*tally, error) {
	total := newTally(len(c.levels))
	var next, done atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < max(workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &scanner{c: c, t: newTally(len(c.levels)), k: k,
				hist: make([][nViews][257]uint32, len(c.levels))}
			for v := range s.mins {
				s.mins[v] = make([]uint8, len(c.pages))
			}
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(c.pages) {
					break
				}
				s.query(i)
				if progress != nil {
					progress(int(done.Add(1)))
				}
			}
			mu.Lock()
			total.add(s.t)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fmrscale: scan: %w", err)
	}
	for v, near := range total.near {
		slices.SortFunc(near, compareNear)
		total.near[v] = near[:min(len(near), k)]
	}
	return total, nil
}

// pairDetail is the nearest comparison of an ordered pair in each view.
type pairDetail struct {
	d     [nViews]int // 257 if the view was not compared
	qKind [nViews]fingerprint.VariantKind
}

func detail(c *corpus, i, j int) pairDetail {
	var pd pairDetail
	for v := range views {
		pd.d[v] = 257
		if !c.pages[j].refOK[v] {
			continue
		}
		for qi, q := range c.pages[i].q[v] {
			if d := distance(&q, &c.pages[j].ref[v]); d < pd.d[v] {
				pd.d[v], pd.qKind[v] = d, c.pages[i].qKind[v][qi]
			}
		}
	}
	return pd
}
