package index

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
)

// withDetails gives the entries random detail hashes (unrelated pages'
// details are about 128 bits apart), every view but a few: entries with
// i%11 == 3 have no page detail, regions with i%13 == 4 none either.
func withDetails(rng *rand.Rand, es []Entry) []Entry {
	for i := range es {
		if i%11 != 3 {
			es[i].Detail = randHash(rng)
		}
		for k := range es[i].Regions {
			if i%13 != 4 {
				es[i].Regions[k].Detail = randHash(rng)
			}
		}
	}
	return es
}

// detailsOf returns, per ID, the details stored in c: the page's, then
// per region kind.
func detailsOf(c *columns) map[string][1 + len(regionKinds)]fingerprint.Hash {
	out := map[string][1 + len(regionKinds)]fingerprint.Hash{}
	var buf []byte
	for i := range c.hashes {
		buf = c.appendID(buf[:0], i)
		var d [1 + len(regionKinds)]fingerprint.Hash
		if c.details != nil {
			d[0] = c.details[i]
		}
		for k := range regionKinds {
			if c.regionDetails[k] != nil {
				d[1+k] = c.regionDetails[k][i]
			}
		}
		out[string(buf)] = d
	}
	return out
}

// wantDetails is detailsOf for entries.
func wantDetails(es []Entry) map[string][1 + len(regionKinds)]fingerprint.Hash {
	out := map[string][1 + len(regionKinds)]fingerprint.Hash{}
	for _, e := range es {
		var d [1 + len(regionKinds)]fingerprint.Hash
		d[0] = e.Detail
		for _, r := range e.Regions {
			d[1+regionSlot(r.Kind)] = r.Detail
		}
		out[e.ID] = d
	}
	return out
}

func decodeAll(t *testing.T, data []byte) *columns {
	t.Helper()
	cfg := defaultOpenConfig()
	c, err := decodeColumns(bytes.NewReader(data), int64(len(data)), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sameDetails(t *testing.T, what string, got, want map[string][1 + len(regionKinds)]fingerprint.Hash) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d entries, want %d", what, len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("%s: %s details %x, want %x", what, id, got[id], w)
		}
	}
}

// TestDetailsRoundTrip: details survive WriteTo and Read, with and without
// regions, and the writer picks the lowest format version that holds the
// entries.
func TestDetailsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	for _, tc := range []struct {
		name    string
		es      []Entry
		version int
		details bool
	}{
		{"plain", testEntries(rng, 500, true), 1, false},
		{"regions", regionEntries(rng, 500), 2, false},
		{"details", withDetails(rng, testEntries(rng, 3000, true)), 3, true},
		{"regions+details", withDetails(rng, regionEntries(rng, 3000)), 3, true},
		{"one detail", append(testEntries(rng, 40, false), Entry{ID: "x", Quality: 50, Detail: fingerprint.Hash{7}}), 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := encode(t, tc.es)
			if v := int(data[len(magic)]); v != tc.version {
				t.Fatalf("format version %d, want %d", v, tc.version)
			}
			fi, err := ReadInfo(bytes.NewReader(data))
			if err != nil || fi.Details != tc.details {
				t.Fatalf("ReadInfo: %v, Details %v", err, fi.Details)
			}
			sameDetails(t, "file", detailsOf(decodeAll(t, data)), wantDetails(tc.es))
			for _, r := range []io.Reader{bytes.NewReader(data), onlyReader{bytes.NewReader(data)}} {
				ix, err := Read(r)
				if err != nil {
					t.Fatal(err)
				}
				checkEntries(t, ix, tc.es)
				if ix.Details() != tc.details || ix.Regions() != (tc.es[0].Regions != nil) {
					t.Errorf("Details() %v, Regions() %v", ix.Details(), ix.Regions())
				}
				if st := ix.Stats(); (st.DetailBytes > 0) != tc.details {
					t.Errorf("Stats().DetailBytes = %d", st.DetailBytes)
				}
			}
		})
	}
}

// TestMergeDetails: Merge carries the details of every view; entries of an
// input without details (format versions 1 and 2) keep none.
func TestMergeDetails(t *testing.T) {
	rng := rand.New(rand.NewPCG(63, 64))
	withRD := withDetails(rng, regionEntries(rng, 400))
	withD := withDetails(rng, testEntries(rng, 300, false))
	plain := testEntries(rng, 300, true)
	regions := regionEntries(rng, 200)
	for i := range withD {
		withD[i].ID = "d/" + withD[i].ID
		plain[i].ID = "p/" + plain[i].ID
	}
	for i := range regions {
		regions[i].ID = "r/" + regions[i].ID
	}
	var out bytes.Buffer
	inputs := readers(encode(t, plain), encode(t, withRD), encode(t, regions), encode(t, withD))
	if _, err := Merge(t.Context(), &out, inputs); err != nil {
		t.Fatal(err)
	}
	if v := out.Bytes()[len(magic)]; v != 3 {
		t.Fatalf("merged format version %d, want 3", v)
	}
	all := append(append(append(plain, withRD...), regions...), withD...)
	sameDetails(t, "merged", detailsOf(decodeAll(t, out.Bytes())), wantDetails(all))
}

// TestLookAlike is the case detail hashes exist for: two pages of one
// composition, near by the hash; a copy of one lies within the threshold
// of both, and only its own page must match.
func TestLookAlike(t *testing.T) {
	rng := rand.New(rand.NewPCG(65, 66))
	for _, n := range []int{0, 20000} { // linear scan, MIH tables
		t.Run(map[int]string{0: "linear", 20000: "mih"}[n], func(t *testing.T) {
			es := withDetails(rng, testEntries(rng, n, false))
			hA := randHash(rng)
			diff := rng.Perm(256)[:64] // the look-alikes differ in 64 bits
			hB := hA
			for _, b := range diff {
				hB[b>>6] ^= 1 << (b & 63)
			}
			a := Entry{ID: "series/p-004.jpg", Hash: hA, Quality: 80, Detail: randHash(rng)}
			b := Entry{ID: "series/p-007.jpg", Hash: hB, Quality: 80, Detail: randHash(rng)}
			if d := a.Detail.Distance(b.Detail); d <= fingerprint.DefaultDetailThreshold {
				t.Fatalf("random details %d apart: the test needs them far", d)
			}
			es = append(es, a, b)
			ix, err := Read(bytes.NewReader(encode(t, es)))
			if err != nil {
				t.Fatal(err)
			}
			// A copy of B: half the differing bits moved towards B (32
			// from each), its detail 20 bits from B's.
			q := hA
			for _, b := range diff[:32] {
				q[b>>6] ^= 1 << (b & 63)
			}
			copyB := fingerprint.Fingerprint{Hash: q, Quality: 80, Variants: []fingerprint.Variant{
				{Kind: fingerprint.VariantPage, Hash: q, Detail: flip(rng, b.Detail, 20), Quality: 80}}}
			if q.Distance(hA) > fingerprint.DefaultThreshold || q.Distance(hB) > fingerprint.DefaultThreshold {
				t.Fatal("the query is not within the threshold of both")
			}
			ms := ix.Lookup(&copyB)
			if len(ms) != 1 || ms[0].ID != b.ID || ms[0].Distance != 32 || ms[0].Detail != 20 {
				t.Fatalf("Lookup(copy of B) = %+v, want B alone at detail 20", ms)
			}
			// With the check disabled, on the lookup or on the index, the
			// look-alike comes back too, with its detail distance.
			ixOff, err := Read(bytes.NewReader(encode(t, es)), WithoutDetailCheck())
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range [][]Match{ix.Lookup(&copyB, WithoutDetailCheck()), ix.Lookup(&copyB, WithDetailThreshold(-5)), ixOff.Lookup(&copyB)} {
				if len(got) != 2 || got[0].Detail < 0 || got[1].Detail < 0 {
					t.Fatalf("without the check: %+v, want both with their detail distances", got)
				}
				for _, m := range got {
					want := b.Detail.Distance(copyB.Variants[0].Detail)
					if m.ID == a.ID {
						want = a.Detail.Distance(copyB.Variants[0].Detail)
					}
					if m.Detail != want {
						t.Fatalf("%s: Detail %d, want %d", m.ID, m.Detail, want)
					}
				}
			}
			// The detail threshold is the boundary: 20 passes at 20, not 19.
			if ms := ix.Lookup(&copyB, WithDetailThreshold(20)); len(ms) != 1 {
				t.Errorf("at threshold 20: %+v", ms)
			}
			if ms := ix.Lookup(&copyB, WithDetailThreshold(19)); len(ms) != 0 {
				t.Errorf("at threshold 19: %+v", ms)
			}
			// A copy of A whose hash is near only A but whose detail is
			// B's finds nothing; a query without a detail is not checked.
			qa := fingerprint.Fingerprint{Hash: flip(rng, hA, 10), Quality: 80}
			qa.Variants = []fingerprint.Variant{{Kind: fingerprint.VariantPage, Hash: qa.Hash, Detail: b.Detail, Quality: 80}}
			if ms := ix.Lookup(&qa); len(ms) != 0 {
				t.Errorf("hash of A, detail of B: %+v", ms)
			}
			qa.Variants[0].Detail = fingerprint.Hash{}
			if ms := ix.Lookup(&qa); len(ms) != 1 || ms[0].ID != a.ID || ms[0].Detail != -1 {
				t.Errorf("no detail: %+v", ms)
			}
			// The raw search ignores details.
			if ms := ix.Search(q, fingerprint.DefaultThreshold, nil); len(ms) != 2 || ms[0].Detail != -1 {
				t.Errorf("Search = %+v", ms)
			}
		})
	}
}

// lookupLinearDetails is Lookup's contract written as a scan (see
// lookupLinear), with the detail rule at threshold dt: a variant's hit
// stands if fingerprint.DetailMatch confirms it (dt < 0: always).
func lookupLinearDetails(es []Entry, fp *fingerprint.Fingerprint, r, dt int) []Match {
	return lookupScan(es, fp, r, func(v *fingerprint.Variant, stored fingerprint.Hash) (int, bool) {
		d := -1
		if !v.Detail.IsZero() && !stored.IsZero() {
			d = v.Detail.Distance(stored)
		}
		return d, dt < 0 || fingerprint.DetailMatch(v.Detail, stored, dt)
	})
}

// TestLookupDetails checks Lookup with details against the scan, on pages
// and regions, through a file round trip: queries near an entry by the
// hash with a near, a far or no detail per variant, at radii where many
// pages of a series are candidates, so that an entry is often hit by one
// variant whose detail fails and another whose detail passes.
func TestLookupDetails(t *testing.T) {
	rng := rand.New(rand.NewPCG(67, 68))
	es := withDetails(rng, regionEntries(rng, 6000))
	ix, err := Read(bytes.NewReader(encode(t, es)))
	if err != nil {
		t.Fatal(err)
	}
	detail := func(h fingerprint.Hash) fingerprint.Hash {
		switch rng.IntN(4) {
		case 0:
			return fingerprint.Hash{}
		case 1:
			return randHash(rng)
		}
		return flip(rng, h, rng.IntN(120))
	}
	rejected, confirmed := 0, 0
	for qi := 0; qi < 300; qi++ {
		e := es[rng.IntN(len(es))]
		fp := fingerprint.Fingerprint{Hash: flip(rng, e.Hash, rng.IntN(60)), Quality: 80}
		fp.Variants = []fingerprint.Variant{
			{Kind: fingerprint.VariantPage, Hash: fp.Hash, Detail: detail(e.Detail), Quality: 80},
			// A second reading of the page, with its own detail.
			{Kind: fingerprint.VariantUncrop, Hash: flip(rng, e.Hash, rng.IntN(60)), Detail: detail(e.Detail), Quality: 80},
		}
		for _, reg := range e.Regions {
			fp.Variants = append(fp.Variants, fingerprint.Variant{Kind: reg.Kind, Hash: flip(rng, reg.Hash, rng.IntN(60)), Detail: detail(reg.Detail), Quality: 80})
		}
		for _, r := range []int{fingerprint.DefaultThreshold, 80} {
			for _, dt := range []int{fingerprint.DefaultDetailThreshold, 40, -1} {
				got := ix.Lookup(&fp, WithThreshold(r), WithDetailThreshold(dt))
				want := lookupLinearDetails(es, &fp, r, dt)
				sameMatches(t, "lookup", got, want)
				for i := range got {
					if got[i].Variant != want[i].Variant || got[i].Detail != want[i].Detail {
						t.Fatalf("r %d dt %d: match %d = %+v, want %+v", r, dt, i, got[i], want[i])
					}
				}
				if dt == 40 {
					confirmed += len(got)
					rejected += len(lookupLinearDetails(es, &fp, r, -1)) - len(got)
				}
			}
		}
	}
	if rejected < 100 || confirmed < 100 {
		t.Fatalf("%d matches confirmed, %d rejected: the test does not exercise both", confirmed, rejected)
	}
}

// TestDetailsCorrupt: detail sections of the wrong size, region details
// without regions and regions stored apart are errors, not panics.
func TestDetailsCorrupt(t *testing.T) {
	rng := rand.New(rand.NewPCG(69, 70))
	withR := withDetails(rng, regionEntries(rng, 50))
	plain := withDetails(rng, testEntries(rng, 50, false))
	for _, tc := range []struct {
		name string
		es   []Entry
		edit func(c *columns)
	}{
		{"short details", withR, func(c *columns) { c.details = c.details[:49] }},
		{"short region details", withR, func(c *columns) { c.regionDetails[1] = c.regionDetails[1][:49] }},
		{"region details without regions", plain, func(c *columns) {
			for k := range regionKinds {
				c.regionDetails[k] = c.details
			}
		}},
		{"region hashes without quality", withR, func(c *columns) {
			for k := range regionKinds {
				c.regionQuality[k] = nil
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { readEdited(t, tc.es, tc.edit) })
	}
	// A header claiming more detail bytes than the entries can have is
	// refused before the section is read.
	data := encode(t, withR)
	for _, k := range []int{secDetails, secRegionDetails} {
		bad := headerWith(t, data, func(_ *header, s []section) { s[k-1].raw = maxRaw(k, 50) + 1; s[k-1].stored = s[k-1].raw })
		if _, err := Read(bytes.NewReader(bad)); !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTruncated) {
			t.Errorf("section %s claims too much: %v", sectionNames[k], err)
		}
		if _, err := Read(onlyReader{bytes.NewReader(bad)}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("section %s claims too much (size unknown): %v", sectionNames[k], err)
		}
	}
}

// TestNewEntryDetails: NewEntry keeps the detail of the page view and of
// each half.
func TestNewEntryDetails(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	v := func(k fingerprint.VariantKind) fingerprint.Variant {
		return fingerprint.Variant{Kind: k, Hash: randHash(rng), Detail: randHash(rng), Quality: 70}
	}
	fp := fingerprint.Fingerprint{Quality: 70, Variants: []fingerprint.Variant{
		v(fingerprint.VariantPage), v(fingerprint.VariantMirror), v(fingerprint.VariantTop), v(fingerprint.VariantBottom), v(fingerprint.VariantTopMirror)}}
	fp.Hash = fp.Variants[0].Hash
	e := NewEntry("p", &fp, nil)
	if e.Hash != fp.Hash || e.Detail != fp.Variants[0].Detail || len(e.Regions) != 2 ||
		e.Regions[0].Detail != fp.Variants[2].Detail || e.Regions[1].Detail != fp.Variants[3].Detail {
		t.Fatalf("NewEntry = %+v", e)
	}
}

const goldenDetailsPath = "testdata/details.pmx"

// goldenDetailEntries is the content of testdata/details.pmx: the golden
// entries with details (withDetails), every third with a top and a bottom
// half.
func goldenDetailEntries() []Entry {
	rng := rand.New(rand.NewPCG(44, 44))
	return withDetails(rng, goldenRegionEntries(rng))
}

// TestGoldenDetails pins format version 3 as TestGolden pins version 1.
func TestGoldenDetails(t *testing.T) {
	es := goldenDetailEntries()
	want := checkGolden(t, goldenDetailsPath, es, 0x3745f09382698532)
	fi, err := Info(goldenDetailsPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Version != 3 || fi.Count != 64 || !fi.ChecksumsOK || !fi.Details || len(fi.Sections) != 11 ||
		fi.Sections[9].Name != "details" || fi.Sections[9].RawBytes != 32*64 ||
		fi.Sections[10].Name != "region-details" || fi.Sections[10].RawBytes != 64*64 {
		t.Errorf("Info = %+v", fi)
	}
	ix, err := Open(goldenDetailsPath)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, ix, es)
	sameDetails(t, "golden", detailsOf(decodeAll(t, want)), wantDetails(es))
	// Each matchable page is found by its own hash and detail, and with
	// another page's detail only if it has none of its own.
	found := 0
	for i, e := range es {
		if int(e.Quality) < fingerprint.MinQuality {
			continue
		}
		other := es[(i+1)%len(es)].Detail
		fp := fingerprint.Fingerprint{Hash: e.Hash, Quality: 100, Variants: []fingerprint.Variant{
			{Kind: fingerprint.VariantPage, Hash: e.Hash, Detail: e.Detail, Quality: 100}}}
		ms := ix.Lookup(&fp, WithThreshold(0))
		wantD := 0
		if e.Detail.IsZero() {
			wantD = -1
		}
		if !containsMatch(ms, e.ID, wantD) {
			t.Errorf("%s: own detail: %+v", e.ID, ms)
		}
		fp.Variants[0].Detail = other
		ms = ix.Lookup(&fp, WithThreshold(0))
		if containsMatch(ms, e.ID, -2) != (e.Detail.IsZero() || other.IsZero()) {
			t.Errorf("%s: other detail: %+v", e.ID, ms)
		}
		found++
	}
	if found < 30 {
		t.Errorf("only %d pages checked", found)
	}
}

// containsMatch reports whether ms names id with detail distance d (any
// if d is -2).
func containsMatch(ms []Match, id string, d int) bool {
	for _, m := range ms {
		if m.ID == id && (d == -2 || m.Detail == d) {
			return true
		}
	}
	return false
}

// TestGoldenPreviousFormat: files of format versions 1 and 2 (no detail
// hashes) still open and match; a query's detail is then not checked.
func TestGoldenPreviousFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(73, 74))
	for _, c := range []struct {
		file    string
		version int
	}{{goldenPath, 1}, {goldenRegionsPath, 2}} {
		fi, err := Info(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Version != c.version || fi.Details {
			t.Errorf("%s: version %d, details %v", c.file, fi.Version, fi.Details)
		}
		ix, err := Open(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if ix.Details() {
			t.Errorf("%s: Details() = true", c.file)
		}
		matched := 0
		for _, e := range goldenEntries() {
			if int(e.Quality) < fingerprint.MinQuality {
				continue
			}
			fp := fingerprint.Fingerprint{Hash: e.Hash, Quality: 100, Variants: []fingerprint.Variant{
				{Kind: fingerprint.VariantPage, Hash: e.Hash, Detail: randHash(rng), Quality: 100}}}
			if !containsMatch(ix.Lookup(&fp, WithThreshold(0)), e.ID, -1) {
				t.Errorf("%s: %s not matched", c.file, e.ID)
			}
			matched++
		}
		if matched < 30 {
			t.Errorf("%s: only %d pages checked", c.file, matched)
		}
	}
}
