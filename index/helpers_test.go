package index

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
)

func randHash(rng *rand.Rand) fingerprint.Hash {
	return fingerprint.Hash{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
}

// flip returns h with k distinct random bits flipped.
func flip(rng *rand.Rand, h fingerprint.Hash, k int) fingerprint.Hash {
	for _, b := range rng.Perm(256)[:k] {
		h[b>>6] ^= 1 << (b & 63)
	}
	return h
}

// testEntries makes n entries; clustered ones are series of pages, each a
// base hash with 40–70 flips, so pages of a series lie ~70–105 apart.
func testEntries(rng *rand.Rand, n int, clustered bool) []Entry {
	es := make([]Entry, n)
	var base fingerprint.Hash
	for i := range es {
		if i%200 == 0 {
			base = randHash(rng)
		}
		h := randHash(rng)
		if clustered {
			h = flip(rng, base, 40+rng.IntN(31))
		}
		es[i] = Entry{
			ID:      fmt.Sprintf("publisher-%02d/series-%04d/vol-%02d/p-%04d.jpg", i%7, i/2000, i/200%10, i%200),
			Hash:    h,
			Quality: uint8(20 + rng.IntN(81)),
		}
		if i%3 == 0 {
			es[i].Meta = Meta{{"work", fmt.Sprintf("w%d", i/2000)}, {"page", fmt.Sprint(i % 200)}}
		}
	}
	return es
}

func mustBuild(t testing.TB, es []Entry, bopts []BuilderOption, opts ...Option) *Index {
	t.Helper()
	b := NewBuilder(bopts...)
	for _, e := range es {
		if err := b.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := b.Index(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// linear is the reference: every entry within r of q, sorted by distance
// then ID.
func linear(es []Entry, q fingerprint.Hash, r int) []Match {
	var out []Match
	for _, e := range es {
		if d := q.Distance(e.Hash); d <= r {
			out = append(out, Match{ID: e.ID, Distance: d, Quality: e.Quality, Meta: e.Meta, Hash: e.Hash})
		}
	}
	slices.SortFunc(out, func(a, b Match) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.ID, b.ID))
	})
	return out
}
