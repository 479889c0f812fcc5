package main

import (
	"fmt"
	"image"
	"math/rand/v2"
	"slices"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// dist summarises a list of Hamming distances.
type dist struct {
	N      int     `json:"n"`
	Min    int     `json:"min"`
	Median int     `json:"median"`
	P95    int     `json:"p95"`
	Max    int     `json:"max"`
	Mean   float64 `json:"mean"`
}

func distOf(d []int) dist {
	if len(d) == 0 {
		return dist{}
	}
	d = slices.Sorted(slices.Values(d))
	sum := 0
	for _, v := range d {
		sum += v
	}
	at := func(q float64) int { return d[min(len(d)-1, int(q*float64(len(d))))] }
	return dist{N: len(d), Min: d[0], Median: at(0.5), P95: at(0.95), Max: d[len(d)-1], Mean: float64(sum) / float64(len(d))}
}

func (d dist) String() string {
	return fmt.Sprintf("n=%d min=%d median=%d p95=%d max=%d mean=%.1f", d.N, d.Min, d.Median, d.P95, d.Max, d.Mean)
}

// recall counts index lookups of one kind of query, by one pipeline.
type recall struct {
	Queries int `json:"queries"`
	// FastPath is how many queries the fast path actually took (small
	// images fall back to the full decode).
	FastPath int  `json:"fast_path"`
	Found    int  `json:"found"` // the query's own page among the matches
	Wrong    int  `json:"wrong"` // queries that matched some other page
	Distance dist `json:"distance_to_own_page"`
}

// equivResult compares the fast path with the full decode on the same
// JPEG bytes.
type equivResult struct {
	Pages  int `json:"pages"`
	Series int `json:"first_series"`
	// FastVsFull is the Hamming distance between the two fingerprints'
	// page hashes, per query kind.
	FastVsFull map[string]dist `json:"fast_vs_full"`
	// Recall is per query kind and pipeline ("fast", "full"), against an
	// index of the original pages fingerprinted with FromImage.
	Recall map[string]map[string]recall `json:"recall"`
	// RecallJPEGIndex is the same against an index built as a publisher
	// with JPEG masters would: the originals at quality 90, through
	// FromBytes and so the fast path.
	RecallJPEGIndex map[string]map[string]recall `json:"recall_jpeg_index"`
}

// pirateFamilies are the edits applied to the pirated queries, one per
// page in turn. WebP and scale are left out: they are not JPEG at page
// size, so the fast path would not apply.
var pirateFamilies = []string{"crop", "pad", "watermark", "tone", "rescan", "mirror", "rotate", "scanlation", "spread", "combo", "jpeg"}

// query is one JPEG fingerprinted both ways.
type query struct {
	kind       string
	page       int // reference page, -1 for none
	fast, full *fingerprint.Fingerprint
	// spread is set for a two-page spread: it holds a neighbouring page
	// (page±10, see specOf), which it may rightly match too.
	spread bool
}

// rightMatch reports whether a match of q with id is correct.
func (q *query) rightMatch(id string) bool {
	return id == pageID(q.page) || q.spread && (id == pageID(q.page-10) || id == pageID(q.page+10))
}

func fingerprintBoth(kind string, page int, img image.Image, q int) (query, error) {
	data, err := pirate.EncodeJPEG(img, q)
	if err != nil {
		return query{}, err
	}
	return fingerprintBytes(kind, page, data)
}

func fingerprintBytes(kind string, page int, data []byte) (query, error) {
	qr := query{kind: kind, page: page}
	var err error
	if qr.fast, err = fingerprint.FromBytes(bg, data); err != nil {
		return qr, fmt.Errorf("throughput: %s %d fast: %w", kind, page, err)
	}
	if qr.full, err = fingerprint.FromBytes(bg, data, fingerprint.WithFastPath(false)); err != nil {
		return qr, fmt.Errorf("throughput: %s %d full: %w", kind, page, err)
	}
	return qr, nil
}

// equivalence fingerprints n pages (and n/4 colour covers, n pirated
// copies and the progressive set) with and without the fast path, and
// looks each one up in an index of the n original pages.
func equivalence(n, series int, prog set) (equivResult, error) {
	covers := n / 4
	refs := make([]*fingerprint.Fingerprint, n)
	jrefs := make([]*fingerprint.Fingerprint, n)
	queries := make([][]query, n)
	err := parallel(n, func(i int) error {
		spec := specOf(i)
		spec.Series += series
		orig := testpages.Page(spec)
		var err error
		if refs[i], err = fingerprint.FromImage(orig); err != nil {
			return fmt.Errorf("throughput: reference %d: %w", i, err)
		}
		master, err := pirate.EncodeJPEG(orig, masterQuality)
		if err != nil {
			return err
		}
		if jrefs[i], err = fingerprint.FromBytes(bg, master); err != nil {
			return fmt.Errorf("throughput: JPEG reference %d: %w", i, err)
		}
		qs := make([]query, 0, 3)
		q, err := fingerprintBoth("grey", i, orig, quality)
		if err != nil {
			return err
		}
		qs = append(qs, q)
		if i < covers {
			if q, err = fingerprintBoth("colour", i, testpages.Cover(spec), quality); err != nil {
				return err
			}
			qs = append(qs, q)
		}
		rng := rand.New(rand.NewPCG(uint64(i), 4))
		t := pirate.Random(pirateFamilies[i%len(pirateFamilies)], rng)
		img, err := t.Run(spec, rng)
		if err != nil {
			return fmt.Errorf("throughput: pirate %s on page %d: %w", t.Name, i, err)
		}
		if q, err = fingerprintBoth("pirated", i, img, 80); err != nil {
			return err
		}
		q.spread = t.Family == "spread"
		queries[i] = append(qs, q)
		return nil
	})
	if err != nil {
		return equivResult{}, err
	}
	all := slices.Concat(queries...)
	for _, p := range prog.pages {
		q, err := fingerprintBytes("progressive", -1, p.data)
		if err != nil {
			return equivResult{}, err
		}
		all = append(all, q)
	}
	ix, err := referenceIndex(refs)
	if err != nil {
		return equivResult{}, err
	}
	jx, err := referenceIndex(jrefs)
	if err != nil {
		return equivResult{}, err
	}
	res := equivResult{Pages: n, Series: series, FastVsFull: fastVsFull(all)}
	res.Recall = lookups(all, ix, refs)
	res.RecallJPEGIndex = lookups(all, jx, jrefs)
	return res, nil
}

// masterQuality is the JPEG quality of a publisher's master pages.
const masterQuality = 90

func pageID(i int) string { return fmt.Sprintf("page-%03d", i) }

func referenceIndex(refs []*fingerprint.Fingerprint) (*index.Index, error) {
	b := index.NewBuilder()
	for i, r := range refs {
		if err := b.Add(index.NewEntry(pageID(i), r, nil)); err != nil {
			return nil, fmt.Errorf("throughput: %w", err)
		}
	}
	ix, err := b.Index()
	if err != nil {
		return nil, fmt.Errorf("throughput: %w", err)
	}
	return ix, nil
}

// fastVsFull is the distance between the two pipelines' page hashes, by
// query kind and over all queries.
func fastVsFull(all []query) map[string]dist {
	d := map[string][]int{}
	for _, q := range all {
		dd := q.fast.Hash.Distance(q.full.Hash)
		d[q.kind] = append(d[q.kind], dd)
		d["all"] = append(d["all"], dd)
	}
	out := map[string]dist{}
	for k, v := range d {
		out[k] = distOf(v)
	}
	return out
}

// lookups looks every query with a reference page up in ix, both ways,
// and counts the recall by query kind and pipeline.
func lookups(all []query, ix *index.Index, refs []*fingerprint.Fingerprint) map[string]map[string]recall {
	res := map[string]map[string]recall{}
	own := map[[2]string][]int{}
	for _, q := range all {
		if q.page < 0 {
			continue
		}
		if res[q.kind] == nil {
			res[q.kind] = map[string]recall{}
		}
		for _, side := range []struct {
			name string
			fp   *fingerprint.Fingerprint
		}{{"fast", q.fast}, {"full", q.full}} {
			r := res[q.kind][side.name]
			r.Queries++
			if side.fp.FastPath {
				r.FastPath++
			}
			found, wrong := false, false
			for _, m := range ix.Lookup(side.fp) {
				found = found || m.ID == pageID(q.page)
				wrong = wrong || !q.rightMatch(m.ID)
			}
			if found {
				r.Found++
			}
			if wrong {
				r.Wrong++
			}
			key := [2]string{q.kind, side.name}
			own[key] = append(own[key], side.fp.Hash.Distance(refs[q.page].Hash))
			res[q.kind][side.name] = r
		}
	}
	for k, v := range own {
		r := res[k[0]][k[1]]
		r.Distance = distOf(v)
		res[k[0]][k[1]] = r
	}
	return res
}
