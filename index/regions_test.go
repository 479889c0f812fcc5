package index

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
)

// regionEntries gives every entry of testEntries a top and a bottom half,
// clustered like the pages (halves of one series share a base), with a
// few low-quality halves (a blank half) and a few entries without regions.
func regionEntries(rng *rand.Rand, n int) []Entry {
	es := testEntries(rng, n, true)
	var top, bottom fingerprint.Hash
	for i := range es {
		if i%200 == 0 {
			top, bottom = randHash(rng), randHash(rng)
		}
		if i%37 == 5 {
			continue // no regions
		}
		q := func() uint8 {
			if rng.IntN(10) == 0 {
				return uint8(rng.IntN(fingerprint.MinQuality)) // a blank half
			}
			return uint8(fingerprint.MinQuality + rng.IntN(101-fingerprint.MinQuality))
		}
		es[i].Regions = []Region{
			{Kind: fingerprint.VariantBottom, Hash: flip(rng, bottom, 40+rng.IntN(31)), Quality: q()},
			{Kind: fingerprint.VariantTop, Hash: flip(rng, top, 40+rng.IntN(31)), Quality: q()},
		}
	}
	return es
}

// lookupLinear is Lookup's contract written as a scan: every variant is
// compared with the entries' view of its Target, under the quality rule,
// and each entry keeps its best variant.
func lookupLinear(es []Entry, fp *fingerprint.Fingerprint, r int) []Match {
	return lookupScan(es, fp, r, func(*fingerprint.Variant, fingerprint.Hash) (int, bool) { return -1, true })
}

// lookupScan is lookupLinear with a detail rule: confirm returns the
// detail distance of a variant and a view's stored detail, and whether
// the hit stands.
func lookupScan(es []Entry, fp *fingerprint.Fingerprint, r int, confirm func(v *fingerprint.Variant, stored fingerprint.Hash) (int, bool)) []Match {
	if !fp.Matchable() {
		return nil
	}
	best := map[int]Match{}
	order := map[int]int{}
	for vi, v := range fp.Variants {
		if vi > 0 && v.Quality < fingerprint.MinQuality {
			continue
		}
		for ei, e := range es {
			if int(e.Quality) < fingerprint.MinQuality {
				continue
			}
			h, detail, ok := e.Hash, e.Detail, true
			if t := v.Kind.Target(); t != fingerprint.VariantPage {
				ok = false
				for _, reg := range e.Regions {
					if reg.Kind == t && int(reg.Quality) >= fingerprint.MinQuality {
						h, detail, ok = reg.Hash, reg.Detail, true
					}
				}
			}
			d := v.Hash.Distance(h)
			if !ok || d > r {
				continue
			}
			dd, confirmed := confirm(&v, detail)
			if !confirmed {
				continue
			}
			if m, seen := best[ei]; seen && (m.Distance < d || m.Distance == d && order[ei] <= vi) {
				continue
			}
			best[ei] = Match{ID: e.ID, Distance: d, Variant: v.Kind, Quality: e.Quality, Meta: e.Meta, Hash: e.Hash, Detail: dd}
			order[ei] = vi
		}
	}
	var out []Match
	for _, m := range best {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// TestLookupRegions checks Lookup on an index with regions against the
// scan above, through a file round trip, for queries whose page is
// changed beyond the threshold while a half stays near.
func TestLookupRegions(t *testing.T) {
	for _, tc := range []struct {
		name string
		n, m int
	}{{"mih", 6000, 0}, {"linear", 400, 0}, {"m8", 3000, 8}} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tc.n)))
			es := regionEntries(rng, tc.n)
			data := encode(t, es)
			if v := data[len(magic)]; v != 2 {
				t.Fatalf("format version %d, want 2", v)
			}
			ix, err := Read(bytes.NewReader(data), WithSubstrings(tc.m))
			if err != nil {
				t.Fatal(err)
			}
			if !ix.Regions() {
				t.Fatal("Regions() = false")
			}
			viaRegion := 0
			for qi := 0; qi < 200; qi++ {
				e := es[rng.IntN(len(es))]
				fp := fingerprint.Fingerprint{Hash: flip(rng, e.Hash, 40+rng.IntN(60)), Quality: 80}
				fp.Variants = []fingerprint.Variant{{Kind: fingerprint.VariantPage, Hash: fp.Hash, Quality: 80}}
				for _, k := range []fingerprint.VariantKind{fingerprint.VariantTop, fingerprint.VariantBottom, fingerprint.VariantTopMirror} {
					h := randHash(rng)
					for _, reg := range e.Regions {
						if reg.Kind == k.Target() {
							h = flip(rng, reg.Hash, rng.IntN(45))
						}
					}
					fp.Variants = append(fp.Variants, fingerprint.Variant{Kind: k, Hash: h, Quality: 30 + rng.IntN(71)})
				}
				got := ix.Lookup(&fp)
				want := lookupLinear(es, &fp, fingerprint.DefaultThreshold)
				sameMatches(t, "lookup", got, want)
				for i := range got {
					if got[i].Variant != want[i].Variant {
						t.Fatalf("match %d variant %v, want %v", i, got[i].Variant, want[i].Variant)
					}
					if got[i].Variant != fingerprint.VariantPage {
						viaRegion++
					}
				}
			}
			if viaRegion < 20 {
				t.Fatalf("only %d matches through a region: the test does not exercise the views", viaRegion)
			}
		})
	}
}

// TestRegionsWithoutViews: an index without regions skips region
// variants, and is written as version 1.
func TestRegionsWithoutViews(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	es := testEntries(rng, 100, true)
	data := encode(t, es)
	if v := data[len(magic)]; v != 1 {
		t.Fatalf("format version %d, want 1", v)
	}
	ix, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if ix.Regions() {
		t.Fatal("Regions() = true")
	}
	e := es[0]
	e.Quality = 90
	fp := fingerprint.Fingerprint{Hash: randHash(rng), Quality: 90, Variants: []fingerprint.Variant{
		{Kind: fingerprint.VariantPage, Quality: 90}, {Kind: fingerprint.VariantTop, Hash: e.Hash, Quality: 90}}}
	fp.Variants[0].Hash = fp.Hash
	if ms := ix.Lookup(&fp); len(ms) != 0 {
		t.Fatalf("a top half matched a page: %+v", ms)
	}
}

func TestRegionsInvalid(t *testing.T) {
	h := fingerprint.Hash{1}
	for _, regs := range [][]Region{
		{{Kind: fingerprint.VariantMirror, Hash: h}},
		{{Kind: fingerprint.VariantTop}, {Kind: fingerprint.VariantTop}},
		{{Kind: fingerprint.VariantBottom, Quality: 101}},
	} {
		err := NewBuilder().Add(Entry{ID: "a", Hash: h, Quality: 50, Regions: regs})
		if !errors.Is(err, ErrInvalidEntry) {
			t.Errorf("%+v: err %v, want ErrInvalidEntry", regs, err)
		}
	}
}

// TestRegionsCorrupt: region sections of the wrong size or with an
// impossible quality are errors, not panics.
func TestRegionsCorrupt(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	es := regionEntries(rng, 50)
	for _, tc := range []struct {
		name string
		edit func(c *columns)
	}{
		{"short hashes", func(c *columns) { c.regions[1] = c.regions[1][:49] }},
		{"bad quality", func(c *columns) { c.regionQuality[0][3] = 200 }},
	} {
		t.Run(tc.name, func(t *testing.T) { readEdited(t, es, tc.edit) })
	}
}

// readEdited builds the columns of es, applies edit, writes them and
// checks that Read rejects the result with ErrCorrupt.
func readEdited(t *testing.T, es []Entry, edit func(c *columns)) {
	t.Helper()
	c := buildColumns(t, es)
	edit(c)
	var buf bytes.Buffer
	if _, err := writeColumns(&buf, c, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(&buf); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err %v, want ErrCorrupt", err)
	}
}

func buildColumns(t *testing.T, es []Entry) *columns {
	t.Helper()
	b := NewBuilder()
	for _, e := range es {
		if err := b.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	c, err := b.columns()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMergeRegions: merging keeps the regions, and an input without them
// merges into an index with them.
func TestMergeRegions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	withR := regionEntries(rng, 300)
	plain := testEntries(rng, 300, false)
	for i := range plain {
		plain[i].ID = "other/" + plain[i].ID
	}
	var out bytes.Buffer
	if _, err := Merge(t.Context(), &out, []io.Reader{bytes.NewReader(encode(t, withR)), bytes.NewReader(encode(t, plain))}); err != nil {
		t.Fatal(err)
	}
	cfg := defaultOpenConfig()
	c, err := decodeColumns(&out, -1, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]Region{}
	var buf []byte
	for i := range c.hashes {
		buf = c.appendID(buf[:0], i)
		for k, kind := range regionKinds {
			if q := c.regionQuality[k][i]; q > 0 || c.regions[k][i] != (fingerprint.Hash{}) {
				got[string(buf)] = append(got[string(buf)], Region{Kind: kind, Hash: c.regions[k][i], Quality: q})
			}
		}
	}
	for _, e := range append(withR, plain...) {
		var want []Region
		for _, kind := range regionKinds {
			for _, r := range e.Regions {
				if r.Kind == kind {
					want = append(want, r)
				}
			}
		}
		if !reflect.DeepEqual(got[e.ID], want) {
			t.Fatalf("%s: regions %+v, want %+v", e.ID, got[e.ID], want)
		}
	}
}

const goldenRegionsPath = "testdata/regions.pmx"

// goldenRegionEntries returns the golden entries, every third with a top
// and a bottom half drawn from rng.
func goldenRegionEntries(rng *rand.Rand) []Entry {
	es := goldenEntries()
	for i := range es {
		if i%3 == 0 {
			es[i].Regions = []Region{
				{Kind: fingerprint.VariantTop, Hash: randHash(rng), Quality: uint8(rng.IntN(101))},
				{Kind: fingerprint.VariantBottom, Hash: randHash(rng), Quality: 100},
			}
		}
	}
	return es
}

// TestGoldenRegions pins format version 2 as TestGolden pins version 1:
// the golden entries, every third with a top and a bottom half.
func TestGoldenRegions(t *testing.T) {
	es := goldenRegionEntries(rand.New(rand.NewPCG(43, 43)))
	checkGolden(t, goldenRegionsPath, es, 0xcfc48e202aeda330)
	fi, err := Info(goldenRegionsPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Version != 2 || fi.Count != 64 || !fi.ChecksumsOK || len(fi.Sections) != 9 ||
		fi.Sections[7].Name != "region-hashes" || fi.Sections[7].RawBytes != 64*64 || fi.Sections[8].RawBytes != 2*64 {
		t.Errorf("Info = %+v", fi)
	}
	ix, err := Open(goldenRegionsPath)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, ix, es)
	// Each matchable half is found by its own hash, as a half.
	found := 0
	for _, e := range es {
		for _, r := range e.Regions {
			fp := fingerprint.Fingerprint{Quality: 100, Variants: []fingerprint.Variant{
				{Kind: fingerprint.VariantPage, Quality: 100}, {Kind: r.Kind, Hash: r.Hash, Quality: 100}}}
			ms := ix.Lookup(&fp, WithThreshold(0))
			want := int(r.Quality) >= fingerprint.MinQuality && int(e.Quality) >= fingerprint.MinQuality
			if got := len(ms) == 1 && ms[0].ID == e.ID && ms[0].Variant == r.Kind; got != want {
				t.Errorf("%s %v: Lookup = %+v, want found %v", e.ID, r.Kind, ms, want)
			}
			if want {
				found++
			}
		}
	}
	if found < 20 {
		t.Errorf("only %d halves matchable", found)
	}
}
