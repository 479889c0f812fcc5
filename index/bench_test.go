package index

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
)

// The benchmarks share one clustered index of benchN entries. For the
// figures at 1M and 10M entries run benchmarks/cmd/indexbench.
const benchN = 1 << 18

var bench struct {
	once    sync.Once
	es      []Entry
	data    []byte
	ix      *Index
	queries []fingerprint.Hash // even: planted within 40 bits; odd: misses
}

func benchSetup(b *testing.B) {
	bench.once.Do(func() {
		rng := rand.New(rand.NewPCG(31, 32))
		bench.es = testEntries(rng, benchN, true)
		bench.data = encode(b, bench.es)
		ix, err := Read(bytes.NewReader(bench.data))
		if err != nil {
			b.Fatal(err)
		}
		bench.ix = ix
		for i := 0; i < 4096; i++ {
			q := randHash(rng)
			if i%2 == 0 {
				q = flip(rng, bench.es[rng.IntN(benchN)].Hash, rng.IntN(41))
			}
			bench.queries = append(bench.queries, q)
		}
	})
	b.ResetTimer()
}

// BenchmarkLookup times one Lookup of a single-variant fingerprint; the
// bytes are the hashes the index holds, so MB/s compares with
// BenchmarkLinear.
func BenchmarkLookup(b *testing.B) {
	for _, r := range []int{24, 32, 40, 48} {
		b.Run(fmt.Sprintf("r=%d", r), func(b *testing.B) {
			benchSetup(b)
			fps := make([]fingerprint.Fingerprint, len(bench.queries))
			for i, q := range bench.queries {
				fps[i] = fingerprint.Fingerprint{Hash: q, Quality: 70}
			}
			b.SetBytes(32 * benchN)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				bench.ix.Lookup(&fps[i%len(fps)], WithThreshold(r))
			}
		})
	}
}

// BenchmarkSearch times the raw search into a reused slice.
func BenchmarkSearch(b *testing.B) {
	for _, r := range []int{0, 32, 40, 48} {
		b.Run(fmt.Sprintf("r=%d", r), func(b *testing.B) {
			benchSetup(b)
			var dst []Match
			b.SetBytes(32 * benchN)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				dst = bench.ix.Search(bench.queries[i%len(bench.queries)], r, dst[:0])
			}
		})
	}
}

// BenchmarkLinear is the linear scan MIH replaces, for the speedup ratio.
func BenchmarkLinear(b *testing.B) {
	benchSetup(b)
	var out []hit
	b.SetBytes(32 * benchN)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		out = linearSearch(bench.ix.hashes, &bench.queries[i%len(bench.queries)], 40, hit{}, out[:0])
	}
}

// BenchmarkRead times loading the file: decoding and building the tables.
func BenchmarkRead(b *testing.B) {
	benchSetup(b)
	b.SetBytes(int64(len(bench.data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(bench.data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupDetails times the detail check: one index with details,
// queries whose page variant carries a detail (near its entry's for the
// planted half, random for the misses), looked up with the check (check)
// and without it (nocheck), at the default radius.
func BenchmarkLookupDetails(b *testing.B) {
	benchSetup(b)
	rng := rand.New(rand.NewPCG(33, 34))
	es := withDetails(rng, append([]Entry(nil), bench.es...))
	ix := mustBuild(b, es, nil)
	detail := make(map[string]fingerprint.Hash, len(es))
	for _, e := range es {
		detail[e.ID] = e.Detail
	}
	fps := make([]fingerprint.Fingerprint, len(bench.queries))
	for i, q := range bench.queries {
		d := randHash(rng)
		if ms := ix.Search(q, 40, nil); i%2 == 0 && len(ms) > 0 && !detail[ms[0].ID].IsZero() {
			d = flip(rng, detail[ms[0].ID], rng.IntN(41)) // planted: near the entry's detail
		}
		fps[i] = fingerprint.Fingerprint{Hash: q, Quality: 70, Variants: []fingerprint.Variant{
			{Kind: fingerprint.VariantPage, Hash: q, Detail: d, Quality: 70}}}
	}
	for _, c := range []struct {
		name   string
		detail int
	}{{"check", fingerprint.DefaultDetailThreshold}, {"nocheck", -1}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				ix.Lookup(&fps[i%len(fps)], WithThreshold(fingerprint.DefaultThreshold), WithDetailThreshold(c.detail))
			}
		})
	}
}
