package index

import (
	"bytes"
	"os"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
)

// FuzzRead feeds arbitrary bytes to the reader: it must return an index
// or an error, never panic, hang or allocate without bound. Seeds: the
// committed golden files (versions 1, 2 and 3), cut and edited.
func FuzzRead(f *testing.F) {
	golden, err := os.ReadFile(goldenPath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add(golden[:len(golden)/2])
	f.Add(golden[:fixedHeader+4])
	f.Add(encode(f, nil))
	f.Add(encode(f, oddEntries()[:1]))
	for _, p := range []string{goldenRegionsPath, goldenDetailsPath} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
			f.Add(data[:len(data)-40])
		}
	}
	edited := bytes.Clone(golden)
	edited[len(edited)-3] ^= 0x40
	f.Add(edited)
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		if fi, err := ReadInfo(bytes.NewReader(data)); err == nil && fi.Bytes != int64(len(data)) {
			t.Fatalf("ReadInfo accepted %d bytes, says %d", len(data), fi.Bytes)
		}
		ix, err := Read(bytes.NewReader(data), WithAlgorithm(""))
		ix2, err2 := Read(onlyReader{bytes.NewReader(data)}, WithAlgorithm(""))
		if (err == nil) != (err2 == nil) {
			t.Fatalf("size known: %v; unknown: %v", err, err2)
		}
		if err != nil {
			return
		}
		q := fingerprint.Fingerprint{Quality: 100, Variants: []fingerprint.Variant{
			{Kind: fingerprint.VariantPage, Quality: 100, Detail: fingerprint.Hash{1}}, {Kind: fingerprint.VariantTop, Quality: 100, Detail: fingerprint.Hash{2}}}}
		if ms := ix.Lookup(&q, WithThreshold(256)); len(ms) > ix.Len() {
			t.Fatalf("%d matches from %d entries", len(ms), ix.Len())
		}
		if len(ix.Search(q.Hash, 256, nil)) != ix2.Len() {
			t.Fatal("Search(256) does not return every entry")
		}
		if _, ok := ix.Nearest(q.Hash); ok != (ix.Len() > 0) {
			t.Fatal("Nearest")
		}
	})
}
