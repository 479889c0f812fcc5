package index

import (
	"math/rand/v2"
	"reflect"
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
