package index

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/zeebo/xxh3"

	"github.com/pagematch/pagematch/fingerprint"
)

var update = flag.Bool("update", false, "rewrite testdata/small.pmx and testdata/regions.pmx")

const goldenPath = "testdata/small.pmx"

// goldenEntries is the content of testdata/small.pmx: the odd entries and
// 58 clustered pages, 4 of them with metadata.
func goldenEntries() []Entry {
	rng := rand.New(rand.NewPCG(42, 42))
	es := oddEntries()
	base := randHash(rng)
	for i := 0; i < 58; i++ {
		e := Entry{
			ID:      fmt.Sprintf("publisher-01/series-0007/vol-%02d/p-%04d.jpg", 1+i/20, 1+i%20),
			Hash:    flip(rng, base, 40+rng.IntN(31)),
			Quality: uint8(25 + rng.IntN(76)),
		}
		if i%15 == 0 {
			e.Meta = Meta{{"work", "Series 7"}, {"page", fmt.Sprint(i)}}
		}
		es = append(es, e)
	}
	return es
}

// TestGolden pins the file format: the encoder must reproduce the
// committed file byte for byte (run with -update after a deliberate
// format change), and the committed file must decode to known entries.
func TestGolden(t *testing.T) {
	es := goldenEntries()
	want := checkGolden(t, goldenPath, es, 0x6c8ef14d5606ccb0)
	ix, err := Open(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, ix, es)
	fi, err := Info(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Count != 64 || fi.Algorithm != DefaultAlgorithm || fi.Threshold != 40 ||
		fi.Created.Unix() != 1700000000 || !fi.ChecksumsOK || fi.Bytes != int64(len(want)) || len(fi.Sections) != 7 {
		t.Errorf("Info = %+v", fi)
	}
	ms := ix.Search(fingerprint.Hash{1, 2, 3, 4}, 0, nil)
	if len(ms) != 2 || ms[0].ID != "plain" || ms[1].ID != "same/hash" {
		t.Errorf("Search(duplicate hash) = %+v", ms)
	}
	m, ok := ix.Nearest(fingerprint.Hash{5, 0, 0, 1})
	if !ok || m.ID != "ユニコード/ページ.png" || m.Distance != 1 {
		t.Errorf("Nearest = %+v", m)
	}
	if v, _ := m.Meta.Get("publisher"); v != "出版社" {
		t.Errorf("Meta = %v", m.Meta)
	}
}

// checkGolden encodes es as the golden files are (a fixed threshold, so
// that tuning fingerprint.DefaultThreshold does not change the bytes),
// rewrites path with -update, and checks that the encoder reproduces the
// committed file byte for byte and that the file's xxh3 is wantSum. It
// returns the committed bytes.
func checkGolden(t *testing.T, path string, es []Entry, wantSum uint64) []byte {
	t.Helper()
	data := encode(t, es, WithCompressionLevel(3), WithThreshold(40))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("encoder output (%d bytes, xxh3 %016x) differs from %s (%d bytes)", len(data), xxh3.Hash(data), path, len(want))
	}
	if got := xxh3.Hash(want); got != wantSum {
		t.Errorf("%s: xxh3 = %#x, want %#x", path, got, wantSum)
	}
	return want
}

// Files of the previous fingerprint versions are refused by default, with
// ErrAlgorithm, and still read when their algorithm is asked for.
func TestGoldenPreviousAlgorithm(t *testing.T) {
	for _, c := range []struct{ file, algorithm string }{
		{"testdata/small-pm256v1.pmx", "pm256-v1"},
		{"testdata/small-pm256v2.pmx", "pm256-v2"},
		{"testdata/small-pm256v3.pmx", "pm256-v3"},
		{"testdata/small-pm256v4.pmx", "pm256-v4"},
	} {
		if _, err := Open(c.file); !errors.Is(err, ErrAlgorithm) {
			t.Fatalf("Open(%s) = %v, want ErrAlgorithm", c.file, err)
		}
		ix, err := Open(c.file, WithAlgorithm(c.algorithm))
		if err != nil {
			t.Fatal(err)
		}
		if ix.Algorithm() != c.algorithm {
			t.Errorf("%s: algorithm %q", c.file, ix.Algorithm())
		}
		checkEntries(t, ix, goldenEntries())
	}
}
