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
	// refDetail[v] is the detail hash of ref[v], zero if it has none.
	refDetail [nViews]fingerprint.Hash
	// q[v] are the query codes that target view v and pass the quality
	// rule, qKind[v] their variant kinds, qDetail[v] their detail hashes.
	q       [nViews][]fingerprint.Hash
	qKind   [nViews][]fingerprint.VariantKind
	qDetail [nViews][]fingerprint.Hash
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
			p.ref[t], p.refOK[t], p.refDetail[t] = v.Hash, ok, v.Detail
		}
		p.lookups[t]++
		if ok {
			p.q[t] = append(p.q[t], v.Hash)
			p.qKind[t] = append(p.qKind[t], v.Kind)
			p.qDetail[t] = append(p.qDetail[t], v.Detail)
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
	// refDetail[v] are the detail hashes of refs[v]; noDetail[v][k] is the
	// number of zero ones among the first k, so that a block without any
	// takes the fast path.
	refDetail [nViews][]fingerprint.Hash
	noDetail  [nViews][]int32
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
				c.refDetail[v] = append(c.refDetail[v], p.refDetail[v])
			}
		}
		c.noDetail[v] = make([]int32, len(c.refs[v])+1)
		for k, d := range c.refDetail[v] {
			c.noDetail[v][k+1] = c.noDetail[v][k]
			if d.IsZero() {
				c.noDetail[v][k+1]++
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
	// sumByView, sumQuery and sumNone are byView, query and none for the
	// sum d+dd of hash and detail distances, over the comparisons whose
	// codes both have a detail hash: a pair the detail check passes at
	// (t, dt) has d+dd <= t+dt. sumNone counts the compared pairs with no
	// such comparison.
	sumByView [][nViews]robustness.Histogram
	sumQuery  []robustness.Histogram
	sumNone   []uint64
	// joint[v][d][dd] counts the comparisons of view v, among all pages,
	// at hash distance d <= jointMaxD and detail distance dd.
	joint *jointCounts
	// near[v] are the closest ordered pairs (i, j) by their nearest
	// comparison in view v; near[nViews] by the nearest in any view;
	// near[nearSum] by the least sum in any view.
	near [nViews + 2][]nearPair
}

// nearSum is the near list by hash + detail sum.
const nearSum = nViews + 1

// jointMaxD is the largest hash distance the joint counts keep: the tail
// only, where the detail check's effect is to be seen.
const jointMaxD = 90

type jointCounts [nViews]jointView

// jointView counts one view's comparisons by d (up to jointMaxD) and dd.
type jointView [jointMaxD + 1][fingerprint.HashBits + 1]uint64

func newTally(levels int) *tally {
	return &tally{byView: make([][nViews]robustness.Histogram, levels),
		query: make([]robustness.Histogram, levels), none: make([]uint64, levels),
		sumByView: make([][nViews]robustness.Histogram, levels),
		sumQuery:  make([]robustness.Histogram, levels), sumNone: make([]uint64, levels),
		joint: new(jointCounts)}
}

func (t *tally) add(o *tally) {
	for l := range t.query {
		for v := range views {
			t.byView[l][v].Add(&o.byView[l][v])
		}
		t.query[l].Add(&o.query[l])
		t.none[l] += o.none[l]
		for v := range views {
			t.sumByView[l][v].Add(&o.sumByView[l][v])
		}
		t.sumQuery[l].Add(&o.sumQuery[l])
		t.sumNone[l] += o.sumNone[l]
	}
	for v := range t.joint {
		for d := range t.joint[v] {
			for dd, n := range o.joint[v][d] {
				t.joint[v][d][dd] += n
			}
		}
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
	// j in view v; sumMins[j] the smallest sum d+dd to page j in any view.
	mins    [nViews][]uint8
	sumMins []uint16
	// hist[s][v] counts the current query's distances to the references
	// of view v in segment s (pages levels[s-1]..levels[s]-1), sumHist[s][v]
	// their sums d+dd.
	hist    [][nViews][fingerprint.HashBits + 1]uint32
	sumHist [][nViews][2*fingerprint.HashBits + 1]uint32
}

func newScanner(c *corpus, k int) *scanner {
	s := &scanner{c: c, t: newTally(len(c.levels)), k: k,
		hist:    make([][nViews][fingerprint.HashBits + 1]uint32, len(c.levels)),
		sumHist: make([][nViews][2*fingerprint.HashBits + 1]uint32, len(c.levels)),
		sumMins: make([]uint16, len(c.pages))}
	for v := range s.mins {
		s.mins[v] = make([]uint8, len(c.pages))
	}
	return s
}

// refBlock is how many reference codes the scan takes at a time: 512
// hashes and their details, 32 KB, stay in the L1 cache while every query
// code runs over them.
const refBlock = 512

// noPair marks a page no code of the query was compared with; noSum one
// no code with a detail hash was compared with.
const (
	noPair = 255
	noSum  = 0xffff
)

// block holds one block of references of a view for compareBlock.
type block struct {
	refs, details []fingerprint.Hash
	pages         []int32
	// allDetail says that every reference of the block has a detail hash.
	allDetail bool
}

// compareBlock compares query code q (detail qd, zero if none) with the
// references of b in view v, counting into h and hs.
func (s *scanner) compareBlock(v int, q, qd *fingerprint.Hash, b block, h *[fingerprint.HashBits + 1]uint32, hs *[2*fingerprint.HashBits + 1]uint32) {
	mins, sumMins, joint := s.mins[v], s.sumMins, &s.t.joint[v]
	if b.allDetail && !qd.IsZero() {
		// The common case, without a test per reference.
		details := b.details[:len(b.refs)]
		pages := b.pages[:len(b.refs)]
		for k := range b.refs {
			d := distance(q, &b.refs[k])
			dd := distance(qd, &details[k])
			h[d]++
			hs[d+dd]++
			j := pages[k]
			if uint8(d) < mins[j] {
				mins[j] = uint8(d)
			}
			if uint16(d+dd) < sumMins[j] {
				sumMins[j] = uint16(d + dd)
			}
			if d <= jointMaxD {
				joint[d][dd]++
			}
		}
		return
	}
	for k := range b.refs {
		d := distance(q, &b.refs[k])
		h[d]++
		j := b.pages[k]
		if uint8(d) < mins[j] {
			mins[j] = uint8(d)
		}
		if qd.IsZero() || b.details[k].IsZero() {
			continue
		}
		dd := distance(qd, &b.details[k])
		hs[d+dd]++
		if uint16(d+dd) < sumMins[j] {
			sumMins[j] = uint16(d + dd)
		}
		if d <= jointMaxD {
			joint[d][dd]++
		}
	}
}

// query compares every matchable query code of page i with every other
// page's matchable reference code of the same view and counts the result.
func (s *scanner) query(i int) {
	c := s.c
	for v := range s.mins {
		for j := range s.mins[v] {
			s.mins[v][j] = noPair
		}
	}
	for j := range s.sumMins {
		s.sumMins[j] = noSum
	}
	for seg := range s.hist {
		s.hist[seg] = [nViews][fingerprint.HashBits + 1]uint32{}
		s.sumHist[seg] = [nViews][2*fingerprint.HashBits + 1]uint32{}
	}
	p := &c.pages[i]
	for v := range views {
		for seg := range s.hist {
			for a, end := c.seg[v][seg], c.seg[v][seg+1]; a < end; a += refBlock {
				e := min(end, a+refBlock)
				b := block{refs: c.refs[v][a:e], details: c.refDetail[v][a:e], pages: c.refPage[v][a:e],
					allDetail: c.noDetail[v][e] == c.noDetail[v][a]}
				for qi := range p.q[v] {
					s.compareBlock(v, &p.q[v][qi], &p.qDetail[v][qi], b, &s.hist[seg][v], &s.sumHist[seg][v])
				}
			}
		}
	}
	li := c.level(i)
	// The scan compared i with itself too: take those out.
	for v := range views {
		if !p.refOK[v] {
			continue
		}
		for qi := range p.q[v] {
			d := distance(&p.q[v][qi], &p.ref[v])
			s.hist[li][v][d]--
			if qd := &p.qDetail[v][qi]; !qd.IsZero() && !p.refDetail[v].IsZero() {
				dd := distance(qd, &p.refDetail[v])
				s.sumHist[li][v][d+dd]--
				if d <= jointMaxD {
					s.t.joint[v][d][dd]--
				}
			}
		}
	}
	for seg := range s.hist {
		for l := max(li, seg); l < len(c.levels); l++ {
			for v := range views {
				for d, n := range s.hist[seg][v] {
					s.t.byView[l][v][d] += uint64(n)
				}
				for d, n := range s.sumHist[seg][v] {
					s.t.sumByView[l][v][d] += uint64(n)
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
		sm := s.sumMins[j]
		for l := max(li, lj); l < len(c.levels); l++ {
			switch {
			case m == noPair:
				s.t.none[l]++
			case sm == noSum:
				s.t.query[l][m]++
				s.t.sumNone[l]++
			default:
				s.t.query[l][m]++
				s.t.sumQuery[l][sm]++
			}
		}
		if s.k > 0 {
			s.keep(nViews, i, j, int(m), m == noPair)
			for v := range views {
				s.keep(v, i, j, int(s.mins[v][j]), s.mins[v][j] == noPair)
			}
			s.keep(nearSum, i, j, int(sm), sm == noSum)
		}
	}
}

// keep offers the ordered pair (i, j) at distance m to near list v,
// unless they were not compared.
func (s *scanner) keep(v, i, j, m int, none bool) {
	near := s.t.near[v]
	if !none && (len(near) < s.k || m <= near[len(near)-1].d) {
		s.t.near[v] = keepNear(near, nearPair{i: int32(i), j: int32(j), d: m}, s.k)
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
			s := newScanner(c, k)
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
	// dd is the detail distance of that comparison (the least among
	// comparisons at the same d), sum the least d+dd of the view; -1 if no
	// comparison of the view has details on both sides.
	dd, sum [nViews]int
}

func detail(c *corpus, i, j int) pairDetail {
	var pd pairDetail
	for v := range views {
		pd.d[v], pd.dd[v], pd.sum[v] = 257, -1, -1
		if !c.pages[j].refOK[v] {
			continue
		}
		ref, refDetail := &c.pages[j].ref[v], &c.pages[j].refDetail[v]
		for qi, q := range c.pages[i].q[v] {
			d, dd := distance(&q, ref), -1
			if qd := &c.pages[i].qDetail[v][qi]; !qd.IsZero() && !refDetail.IsZero() {
				dd = distance(qd, refDetail)
				if pd.sum[v] < 0 || d+dd < pd.sum[v] {
					pd.sum[v] = d + dd
				}
			}
			if d < pd.d[v] || (d == pd.d[v] && dd >= 0 && (pd.dd[v] < 0 || dd < pd.dd[v])) {
				pd.d[v], pd.dd[v], pd.qKind[v] = d, dd, c.pages[i].qKind[v][qi]
			}
		}
	}
	return pd
}
