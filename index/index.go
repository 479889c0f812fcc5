package index

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
)

// Index is a loaded reference index. It is immutable and safe for
// concurrent use by multiple goroutines.
type Index struct {
	c         *columns
	hashes    []fingerprint.Hash
	quality   []uint8
	threshold int
	detail    int                // default detail threshold, < 0: no check
	details   []fingerprint.Hash // page details by position, nil if not stored
	mih       *mih               // nil: every search is a linear scan
	// regions holds a view per region kind (regionKinds order), nil for
	// an index without regions.
	regions [len(regionKinds)]*view
	scratch sync.Pool
}

// view is one region kind made searchable: the matchable regions' hashes,
// sorted, with each one's entry and, if stored, detail hash.
type view struct {
	hashes  []fingerprint.Hash
	entry   []uint32
	details []fingerprint.Hash // nil if not stored
	mih     *mih
}

// newView indexes the regions of kind k whose quality and whose page's
// quality are matchable: the others can never be returned, so they take
// neither memory nor search time.
func newView(c *columns, k, substrings int) *view {
	hs, qs := c.regions[k], c.regionQuality[k]
	type pair struct {
		h fingerprint.Hash
		i uint32
	}
	// Sorted by a counting sort on the top bits, then each bucket
	// (about 16 entries) by the whole hash: a comparison sort of the
	// whole array took most of the load time.
	keep := func(i int) bool {
		return int(qs[i]) >= fingerprint.MinQuality && int(c.quality[i]) >= fingerprint.MinQuality
	}
	const top = 16
	var counts [1<<top + 1]uint32
	m := 0
	for i := range hs {
		if keep(i) {
			counts[hs[i][0]>>(64-top)+1]++
			m++
		}
	}
	for b := 1; b <= 1<<top; b++ {
		counts[b] += counts[b-1]
	}
	pairs := make([]pair, m)
	next := counts
	for i := range hs {
		if keep(i) {
			b := hs[i][0] >> (64 - top)
			pairs[next[b]] = pair{hs[i], uint32(i)}
			next[b]++
		}
	}
	for b := 0; b < 1<<top; b++ {
		if bucket := pairs[counts[b]:counts[b+1]]; len(bucket) > 1 {
			slices.SortFunc(bucket, func(x, y pair) int { return cmpHash(&x.h, &y.h) })
		}
	}
	v := &view{hashes: make([]fingerprint.Hash, m), entry: make([]uint32, m)}
	adviseHuge(v.hashes)
	for j := range pairs {
		v.hashes[j], v.entry[j] = pairs[j].h, pairs[j].i
	}
	if ds := c.regionDetails[k]; ds != nil {
		v.details = make([]fingerprint.Hash, m)
		for j := range pairs {
			v.details[j] = ds[pairs[j].i]
		}
	}
	pairs = nil
	v.mih = tablesFor(v.hashes, substrings)
	return v
}

// tablesFor builds the search tables over hashes (sorted) with m
// substrings (0: automatic), or returns nil where a linear scan serves.
func tablesFor(hashes []fingerprint.Hash, m int) *mih {
	if m == 0 {
		m = autoSubstrings(len(hashes))
	}
	if m <= 1 || len(hashes) == 0 {
		return nil
	}
	x := buildMIH(hashes, m)
	collapseHuge(hashes)
	x.collapseHuge()
	return x
}

func (v *view) bytes() int64 {
	b := 32*int64(cap(v.hashes)) + 4*int64(cap(v.entry))
	if v.mih != nil {
		b += v.mih.bytes()
	}
	return b
}

func newIndex(c *columns, cfg openConfig) (*Index, error) {
	if cfg.threshold < 0 || cfg.threshold > fingerprint.HashBits {
		return nil, fmt.Errorf("index: threshold %d out of range 0..%d", cfg.threshold, fingerprint.HashBits)
	}
	ix := &Index{c: c, hashes: c.hashes, quality: c.quality, threshold: cfg.threshold, detail: cfg.detail, details: c.details}
	ix.scratch.New = func() any { return new(searchScratch) }
	ix.mih = tablesFor(c.hashes, cfg.substrings)
	if c.hasRegions() {
		var wg sync.WaitGroup
		for k := range regionKinds {
			wg.Go(func() { ix.regions[k] = newView(c, k, cfg.substrings) })
		}
		wg.Wait()
		for k := range regionKinds {
			c.regions[k], c.regionQuality[k], c.regionDetails[k] = nil, nil, nil // the views hold what can match
		}
	}
	c.details = nil // held by ix
	return ix, nil
}

// Regions reports whether the index stores region views (Entry.Regions).
// Queries against it should then be fingerprinted with
// fingerprint.WithRegions(true), or their halves are not looked up.
func (ix *Index) Regions() bool { return ix.regions[0] != nil }

// Details reports whether the index stores detail hashes (Entry.Detail,
// Region.Detail; format version 3), with which Lookup confirms what the
// hash finds. An index without them (an older file) matches by the hash
// alone.
func (ix *Index) Details() bool {
	return ix.details != nil || ix.regions[0] != nil && ix.regions[0].details != nil
}

// DetailThreshold returns the detail threshold Lookup uses when not given
// WithDetailThreshold (negative: no detail check).
func (ix *Index) DetailThreshold() int { return ix.detail }

// Len returns the number of entries.
func (ix *Index) Len() int { return len(ix.hashes) }

// Algorithm returns the fingerprint algorithm recorded in the file.
func (ix *Index) Algorithm() string { return ix.c.hdr.algorithm }

// Created returns the creation time recorded in the file.
func (ix *Index) Created() time.Time { return ix.c.hdr.created }

// Threshold returns the radius Lookup uses when not given WithThreshold.
func (ix *Index) Threshold() int { return ix.threshold }

// Stats describes an index's memory.
type Stats struct {
	Entries int
	// Substrings is the number of multi-index tables; 0 means every
	// search is a linear scan.
	Substrings int
	// Bytes of heap held by each part. RegionBytes covers the region
	// views: their hashes, entry numbers and tables; DetailBytes the
	// detail hashes of every view.
	HashBytes, QualityBytes, TableBytes, IDBytes, MetaBytes, RegionBytes, DetailBytes int64
}

// Total returns the heap bytes of all parts.
func (s Stats) Total() int64 {
	return s.HashBytes + s.QualityBytes + s.TableBytes + s.IDBytes + s.MetaBytes + s.RegionBytes + s.DetailBytes
}

// Stats returns the index's memory use.
func (ix *Index) Stats() Stats {
	c := ix.c
	s := Stats{
		Entries:      ix.Len(),
		HashBytes:    32 * int64(cap(ix.hashes)),
		QualityBytes: int64(cap(ix.quality)),
		IDBytes:      c.dirs.bytes() + c.bases.bytes() + 8*int64(cap(c.idCodes.words)),
		MetaBytes:    c.metas.bytes() + 8*int64(cap(c.metaCodes.words)),
		DetailBytes:  32 * int64(cap(ix.details)),
	}
	if ix.mih != nil {
		s.Substrings = len(ix.mih.tabs)
		s.TableBytes = ix.mih.bytes()
	}
	for _, v := range ix.regions {
		if v != nil {
			s.RegionBytes += v.bytes()
			s.DetailBytes += 32 * int64(cap(v.details))
		}
	}
	return s
}

// Lookup returns the entries within the threshold of any variant of fp:
// the radius set by WithThreshold on this call, else on Open or Read,
// else fingerprint.DefaultThreshold. Each entry appears once, with its
// best variant (smallest distance; on a tie, the earlier variant). Matches
// are sorted by distance, then ID. The search is exact.
//
// Detail rule: a variant's hit on a view stands only if their detail
// hashes confirm it (fingerprint.DetailMatch at the detail threshold: set
// by WithDetailThreshold on this call, else on Open or Read, else
// fingerprint.DefaultDetailThreshold; negative: no check). A view or
// variant without a detail hash (an index without details, Details) is
// not checked. An entry is named by its best confirmed hit, and
// Match.Detail gives that hit's detail distance.
//
// Quality rule: Lookup returns nothing when fp is not Matchable (quality
// below fingerprint.MinQuality); it skips variants after the first whose
// own Quality is below MinQuality (a blank half of a spread); and it never
// returns entries whose stored Quality is below MinQuality. Search applies
// none of these rules.
//
// If fp has no Variants, fp.Hash is looked up as the page. A variant aimed
// at a region view (fingerprint.WithRegions's halves, see
// VariantKind.Target) is looked up among that view's regions when the
// index stores them (Regions), and skipped otherwise; a region is
// matchable only when its own and its page's quality are.
//
// Allocation: the result slice, and per match its ID string and, if the
// entry has metadata, its Meta. A lookup without matches allocates nothing.
func (ix *Index) Lookup(fp *fingerprint.Fingerprint, opts ...LookupOption) []Match {
	if !fp.Matchable() {
		return nil
	}
	cfg := lookupConfig{threshold: ix.threshold, detail: ix.detail}
	for _, o := range opts {
		cfg = o.applyLookup(cfg)
	}
	s := ix.scratch.Get().(*searchScratch)
	defer ix.putScratch(s)
	hits := s.hits[:0]
	if len(fp.Variants) == 0 { // no detail: nothing to confirm
		hits = ix.search(&fp.Hash, cfg.threshold, hit{variant: uint8(fingerprint.VariantPage)}, hits, s)
	}
	for i := range fp.Variants {
		v := &fp.Variants[i]
		if i > 0 && v.Quality < fingerprint.MinQuality {
			continue
		}
		h := hit{variant: uint8(v.Kind), order: uint8(min(i, 255))}
		t := v.Kind.Target()
		from := len(hits)
		if t == fingerprint.VariantPage {
			hits = ix.search(&v.Hash, cfg.threshold, h, hits, s)
			hits = confirm(hits, from, &v.Detail, ix.details, cfg.detail)
			continue
		}
		if k := regionSlot(t); k >= 0 && ix.regions[k] != nil {
			vw := ix.regions[k]
			hits = searchIn(vw.hashes, vw.mih, &v.Hash, cfg.threshold, h, hits, s)
			hits = confirm(hits, from, &v.Detail, vw.details, cfg.detail)
			for j := range hits[from:] {
				hits[from+j].idx = vw.entry[hits[from+j].idx]
			}
		}
	}
	// Drop unmatchable entries, then keep each entry's best hit.
	hits = slices.DeleteFunc(hits, func(h hit) bool { return ix.quality[h.idx] < fingerprint.MinQuality })
	if len(hits) == 0 {
		s.hits = hits
		return nil
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.idx, b.idx), cmp.Compare(a.dist, b.dist), cmp.Compare(a.order, b.order))
	})
	hits = slices.CompactFunc(hits, func(a, b hit) bool { return a.idx == b.idx })
	out := make([]Match, 0, len(hits))
	out, s.buf = ix.materialize(hits, out, s.buf)
	s.hits = hits
	if cfg.limit > 0 && len(out) > cfg.limit {
		out = out[:cfg.limit:cfg.limit]
	}
	return out
}

// confirm compares the detail hashes of hits[from:] (positions in the
// view whose details are given, nil if not stored) with the query
// variant's detail d, records the distance, and drops the hits farther
// than t (t < 0: none).
func confirm(hits []hit, from int, d *fingerprint.Hash, details []fingerprint.Hash, t int) []hit {
	if details == nil || d.IsZero() {
		return hits
	}
	kept := from
	for _, h := range hits[from:] {
		if stored := &details[h.idx]; !stored.IsZero() {
			// fingerprint.DetailMatch's rule, both details being present;
			// the distance is kept for Match.Detail.
			dd := d.Distance(*stored)
			if t >= 0 && dd > t {
				continue
			}
			h.detail = uint16(dd + 1)
		}
		hits[kept] = h
		kept++
	}
	return hits[:kept]
}

// Search appends to dst every entry whose hash lies within radius of h,
// sorted by distance then ID, and returns the extended slice. It is the
// raw exact search: no quality rule applies and Variant is always
// VariantPage. A radius of 256 or more returns every entry; a negative
// radius returns none.
//
// Allocation: dst grows as append would; each match allocates its ID
// string and, if the entry has metadata, its Meta. With no matches and no
// growth, Search allocates nothing.
func (ix *Index) Search(h fingerprint.Hash, radius int, dst []Match) []Match {
	s := ix.scratch.Get().(*searchScratch)
	defer ix.putScratch(s)
	s.hits = ix.search(&h, radius, hit{variant: uint8(fingerprint.VariantPage)}, s.hits[:0], s)
	dst, s.buf = ix.materialize(s.hits, dst, s.buf)
	return dst
}

// Nearest returns the entry closest to h at any distance (ties: the
// smaller ID), and false if the index is empty. It searches growing radii
// and falls back to a linear scan, so it can take milliseconds on a large
// index; it is meant for tools and reports, not for serving.
func (ix *Index) Nearest(h fingerprint.Hash) (Match, bool) {
	if ix.Len() == 0 {
		return Match{}, false
	}
	s := ix.scratch.Get().(*searchScratch)
	defer ix.putScratch(s)
	for r := 0; ; r = min(r+8, fingerprint.HashBits) {
		if r == fingerprint.HashBits || ix.mih == nil || ix.mih.plan(r).linear {
			r = fingerprint.HashBits
			s.hits = ix.nearestLinear(&h, s.hits[:0])
		} else {
			s.hits = ix.mih.search(ix.hashes, &h, r, hit{}, s.hits[:0], s)
		}
		if len(s.hits) > 0 || r == fingerprint.HashBits {
			break
		}
	}
	best := slices.MinFunc(s.hits, func(a, b hit) int { return cmp.Compare(a.dist, b.dist) })
	s.hits = slices.DeleteFunc(s.hits, func(a hit) bool { return a.dist != best.dist })
	var ms [1]Match
	out, buf := ix.materialize(s.hits, ms[:0], s.buf)
	s.buf = buf
	return out[0], true
}

// nearestLinear returns the entries at the least distance from q.
func (ix *Index) nearestLinear(q *fingerprint.Hash, out []hit) []hit {
	best := fingerprint.HashBits + 1
	for j := range ix.hashes {
		d := q.Distance(ix.hashes[j])
		if d < best {
			best, out = d, out[:0]
		}
		if d == best {
			out = append(out, hit{idx: uint32(j), dist: uint16(d)})
		}
	}
	return out
}

// search appends every entry within radius r of q to out.
func (ix *Index) search(q *fingerprint.Hash, r int, h hit, out []hit, sc *searchScratch) []hit {
	return searchIn(ix.hashes, ix.mih, q, r, h, out, sc)
}

// searchIn appends every position of hashes (sorted, with tables x or
// nil) within radius r of q to out.
func searchIn(hashes []fingerprint.Hash, x *mih, q *fingerprint.Hash, r int, h hit, out []hit, sc *searchScratch) []hit {
	switch {
	case r < 0 || len(hashes) == 0:
		return out
	case r >= fingerprint.HashBits:
		return linearSearch(hashes, q, fingerprint.HashBits, h, out)
	case x == nil:
		return linearSearch(hashes, q, r, h, out)
	}
	return x.search(hashes, q, r, h, out, sc)
}

// materialize decodes hits into Matches appended to dst, sorted by
// distance then ID.
func (ix *Index) materialize(hits []hit, dst []Match, buf []byte) ([]Match, []byte) {
	start := len(dst)
	for _, h := range hits {
		buf = ix.c.appendID(buf[:0], int(h.idx))
		m := Match{
			ID:       string(buf),
			Distance: int(h.dist),
			Variant:  fingerprint.VariantKind(h.variant),
			Quality:  ix.quality[h.idx],
			Hash:     ix.hashes[h.idx],
			Detail:   int(h.detail) - 1,
		}
		m.Meta, buf = ix.c.meta(int(h.idx), buf)
		dst = append(dst, m)
	}
	slices.SortFunc(dst[start:], func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID))
	})
	return dst, buf
}

func (ix *Index) putScratch(s *searchScratch) {
	if cap(s.hits) > 1<<16 || cap(s.buf) > 1<<16 || cap(s.cands) > 1<<20 || cap(s.buckets) > 1<<20 {
		return // do not pin a huge result buffer
	}
	ix.scratch.Put(s)
}
