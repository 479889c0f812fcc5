package index_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
)

// hashOf stands in for fingerprinting a page.
func hashOf(seed uint64) fingerprint.Hash {
	return fingerprint.Hash{seed * 0x9e3779b97f4a7c15, seed * 0xbf58476d1ce4e5b9, seed * 0x94d049bb133111eb, seed}
}

func ExampleBuilder() {
	b := index.NewBuilder(index.WithCreated(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
	for p := 1; p <= 3; p++ {
		err := b.Add(index.Entry{
			ID:      fmt.Sprintf("publisher-03/series-0042/vol-07/p-%04d.jpg", p),
			Hash:    hashOf(uint64(p)),
			Quality: 80,
			Meta:    index.Meta{{Key: "work", Value: "Series 42"}},
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ref.pmx")
	if err := b.Save(path); err != nil {
		log.Fatal(err)
	}
	ix, err := index.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ix.Len(), "entries")
	// Output: 3 entries
}

func ExampleIndex_Lookup() {
	b := index.NewBuilder()
	b.Add(index.Entry{ID: "pub/series/vol-01/p-0001.jpg", Hash: hashOf(1), Quality: 80,
		Meta: index.Meta{{Key: "rights", Value: "https://example.com/rights/42"}}})
	b.Add(index.Entry{ID: "pub/series/vol-01/p-0002.jpg", Hash: hashOf(2), Quality: 80})
	ix, err := b.Index()
	if err != nil {
		log.Fatal(err)
	}
	// A pirated copy: page 1, re-encoded, so a few bits differ.
	h := hashOf(1)
	h[0] ^= 0b1011
	fp := &fingerprint.Fingerprint{Hash: h, Quality: 75,
		Variants: []fingerprint.Variant{{Kind: fingerprint.VariantPage, Hash: h, Quality: 75}}}
	for _, m := range ix.Lookup(fp) {
		rights, _ := m.Meta.Get("rights")
		fmt.Println(m.ID, m.Distance, m.Variant, rights)
	}
	// Output: pub/series/vol-01/p-0001.jpg 3 page https://example.com/rights/42
}

func ExampleIndex_Search() {
	b := index.NewBuilder()
	b.Add(index.Entry{ID: "a", Hash: hashOf(7), Quality: 80})
	b.Add(index.Entry{ID: "b", Hash: hashOf(7), Quality: 10}) // Search ignores quality
	ix, _ := b.Index()
	var dst []index.Match // reuse across calls
	dst = ix.Search(hashOf(7), 0, dst[:0])
	for _, m := range dst {
		fmt.Println(m.ID, m.Distance)
	}
	// Output:
	// a 0
	// b 0
}

func ExampleMerge() {
	build := func(ids ...string) io.Reader {
		b := index.NewBuilder()
		for i, id := range ids {
			b.Add(index.Entry{ID: id, Hash: hashOf(uint64(len(id) + i)), Quality: 80})
		}
		var buf bytes.Buffer
		b.WriteTo(&buf)
		return &buf
	}
	var out bytes.Buffer
	_, err := index.Merge(context.Background(), &out, []io.Reader{build("x/1", "x/2"), build("y/1", "x/2")})
	fmt.Println(err)

	st, err := index.Merge(context.Background(), &out, []io.Reader{build("x/1", "x/2"), build("y/1", "x/2")},
		index.OnCollision(index.CollisionRename))
	fmt.Println(st.Entries, st.Renamed, err)
	// Output:
	// index: merge: ID collisions (1): "x/2" (inputs 0 and 1)
	// 4 1 <nil>
}

func ExampleReadInfo() {
	b := index.NewBuilder(index.WithCreated(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
	b.Add(index.Entry{ID: "p-0001.jpg", Hash: hashOf(1), Quality: 80})
	var buf bytes.Buffer
	b.WriteTo(&buf)
	fi, err := index.ReadInfo(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fi.Count, fi.Algorithm, fi.Created.Format(time.DateOnly), fi.ChecksumsOK)
	// Output: 1 pm256-v5 2025-01-01 true
}
