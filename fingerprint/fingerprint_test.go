package fingerprint_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/corona10/goimagehash"
	"github.com/disintegration/imaging"
	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

var ctx = context.Background()

func page(series, n int) *image.Gray {
	return testpages.Page(testpages.Spec{Series: series, Page: n, Width: 600, Height: 850})
}

func mustJPEG(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	b, err := pirate.EncodeJPEG(img, q)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHashRoundTrip(t *testing.T) {
	fp, err := fingerprint.FromImage(page(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	h, err := fingerprint.ParseHash(fp.Hash.String())
	if err != nil || h != fp.Hash {
		t.Fatalf("ParseHash(String()) = %v, %v; want %v", h, err, fp.Hash)
	}
	if _, err := fingerprint.ParseHash("zz"); err == nil {
		t.Error("ParseHash accepted a bad string")
	}
	if d := fp.Hash.Distance(fp.Hash); d != 0 {
		t.Errorf("self distance %d", d)
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := fingerprint.FromImage(page(3, 2))
	b, _ := fingerprint.FromImage(page(3, 2))
	if a.Hash != b.Hash || a.Quality != b.Quality {
		t.Fatal("same page, different fingerprints")
	}
}

// Different pages of one series share layouts; they must stay far apart.
func TestDifferentPagesFar(t *testing.T) {
	var fps []*fingerprint.Fingerprint
	for p := 0; p < 8; p++ {
		fp, err := fingerprint.FromImage(page(5, p))
		if err != nil {
			t.Fatal(err)
		}
		fps = append(fps, fp)
	}
	for i := range fps {
		for j := i + 1; j < len(fps); j++ {
			if d := fps[i].Hash.Distance(fps[j].Hash); d <= 2*fingerprint.DefaultThreshold {
				t.Errorf("pages %d and %d at distance %d", i, j, d)
			}
		}
	}
}

func TestFormats(t *testing.T) {
	img := page(2, 3)
	ref, _ := fingerprint.FromImage(img)
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"png": pngBuf.Bytes(), "jpeg": mustJPEG(t, img, 85)} {
		fp, err := fingerprint.FromReader(ctx, bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fp.Format != name {
			t.Errorf("format %q, want %q", fp.Format, name)
		}
		if d := fp.Hash.Distance(ref.Hash); d > fingerprint.DefaultThreshold/2 {
			t.Errorf("%s: distance %d from the decoded page", name, d)
		}
	}
}

// The committed WebP files (made by internal/pirate/cmd/mkwebp with cwebp)
// must decode and match the pages they were made from.
func TestWebPTestdata(t *testing.T) {
	files, _ := filepath.Glob("../internal/testpages/testdata/webp/*.webp")
	if len(files) == 0 {
		t.Fatal("no WebP testdata")
	}
	for _, f := range files {
		var series int
		var kind string
		if _, err := fmt.Sscanf(filepath.Base(f), "s%d-%s", &series, &kind); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fp, err := fingerprint.FromBytes(ctx, data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		w, h := fp.Width, fp.Height
		ref, _ := fingerprint.FromImage(testpages.Page(testpages.Spec{Series: series, Width: w, Height: h}))
		if d := fp.Hash.Distance(ref.Hash); d > fingerprint.DefaultThreshold {
			t.Errorf("%s: distance %d to its page", f, d)
		}
	}
}

// The fast path (DC-only JPEG decode) must land close to the full decode:
// a fast-path query must find the full-decode page hash through one of its
// variants, as a lookup would. The box found on the 1/8-scale DC image can
// differ from the full decode's on a few pages (see the README), so two
// pages in eight may miss.
func TestFastPathCloseToFull(t *testing.T) {
	var ds []int
	for p := 0; p < 8; p++ {
		data := mustJPEG(t, testpages.Page(testpages.Spec{Series: 7, Page: p}), 85)
		fast, err := fingerprint.FromBytes(ctx, data)
		if err != nil {
			t.Fatal(err)
		}
		full, err := fingerprint.FromBytes(ctx, data, fingerprint.WithFastPath(false))
		if err != nil {
			t.Fatal(err)
		}
		if !fast.FastPath || full.FastPath {
			t.Fatalf("FastPath flags %v %v", fast.FastPath, full.FastPath)
		}
		d := fingerprint.HashBits
		for _, v := range fast.Variants {
			d = min(d, v.Hash.Distance(full.Hash))
		}
		ds = append(ds, d)
	}
	slices.Sort(ds)
	t.Logf("fast vs full, best variant: %v", ds)
	if ds[len(ds)-3] > fingerprint.DefaultThreshold {
		t.Errorf("fast path too far from the full decode: %v", ds)
	}
}

// A turned JPEG page is decoded in full, where the finer straightening
// works; the same page straight stays on the fast path.
func TestTurnedPageLeavesFastPath(t *testing.T) {
	img := testpages.Page(testpages.Spec{Series: 7, Page: 2})
	for _, c := range []struct {
		deg  float64
		fast bool
	}{{0, true}, {1.5, false}, {-2.5, false}} {
		var src image.Image = img
		if c.deg != 0 {
			src = imaging.Rotate(img, c.deg, color.White)
		}
		fp, err := fingerprint.FromBytes(ctx, mustJPEG(t, src, 85))
		if err != nil {
			t.Fatal(err)
		}
		if fp.FastPath != c.fast || (c.deg == 0) != (fp.Skew == 0) {
			t.Errorf("turned %v°: fast path %v, skew %v", c.deg, fp.FastPath, fp.Skew)
		}
	}
}

// A spread whose halves are narrower than the fast path's least side is
// decoded in full; a larger one stays on the fast path.
func TestSmallSpreadLeavesFastPath(t *testing.T) {
	a := testpages.Page(testpages.Spec{Series: 7, Page: 2})
	b := testpages.Page(testpages.Spec{Series: 7, Page: 3})
	for _, c := range []struct {
		scale float64
		fast  bool
	}{{1, true}, {0.5, false}} {
		fp, err := fingerprint.FromBytes(ctx, mustJPEG(t, pirate.Spread(a, b, true, 0.01, c.scale), 85))
		if err != nil {
			t.Fatal(err)
		}
		if fp.FastPath != c.fast {
			t.Errorf("spread at %v: %dx%d, fast path %v", c.scale, fp.Width, fp.Height, fp.FastPath)
		}
	}
}

func TestPHashBitExact(t *testing.T) {
	img := page(4, 1)
	data := mustJPEG(t, img, 90)
	fp, err := fingerprint.FromBytes(ctx, data, fingerprint.WithPHash(true))
	if err != nil {
		t.Fatal(err)
	}
	dec, _, _ := image.Decode(bytes.NewReader(data))
	want, _ := goimagehash.PerceptionHash(dec)
	if fp.PHash != want.GetHash() {
		t.Errorf("PHash %016x, goimagehash %016x", fp.PHash, want.GetHash())
	}
}

func TestLowInformation(t *testing.T) {
	for _, k := range testpages.BlankKinds() {
		fp, err := fingerprint.FromImage(testpages.Blank(k, 600, 850))
		if err != nil {
			t.Fatalf("%v: %v", k, err)
		}
		if fp.Matchable() {
			t.Errorf("%v: quality %d, want < %d", k, fp.Quality, fingerprint.MinQuality)
		}
	}
	fp, _ := fingerprint.FromImage(page(1, 2))
	if !fp.Matchable() {
		t.Errorf("ordinary page has quality %d", fp.Quality)
	}
}

func TestLimits(t *testing.T) {
	data := mustJPEG(t, page(1, 1), 80)
	if _, err := fingerprint.FromBytes(ctx, data, fingerprint.WithMaxPixels(1000)); !errors.Is(err, fingerprint.ErrTooLarge) {
		t.Errorf("pixel limit: %v", err)
	}
	if _, err := fingerprint.FromReader(ctx, bytes.NewReader(data), fingerprint.WithMaxBytes(100)); !errors.Is(err, fingerprint.ErrTooLarge) {
		t.Errorf("byte limit: %v", err)
	}
	// A PNG header that declares 60000×60000 pixels.
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	copy(b[16:24], []byte{0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60})
	if _, err := fingerprint.FromBytes(ctx, b); !errors.Is(err, fingerprint.ErrTooLarge) && !errors.Is(err, fingerprint.ErrFormat) {
		t.Errorf("huge PNG header: %v", err)
	}
	if _, err := fingerprint.FromBytes(ctx, []byte("not an image")); !errors.Is(err, fingerprint.ErrFormat) {
		t.Errorf("garbage: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := fingerprint.FromBytes(cctx, data); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// Every prefix of a JPEG and a PNG must give an error or a result, never a
// panic.
func TestTruncated(t *testing.T) {
	img := testpages.Page(testpages.Spec{Series: 1, Page: 1, Width: 240, Height: 340})
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, img)
	for _, data := range [][]byte{mustJPEG(t, img, 80), pngBuf.Bytes()} {
		step := max(1, len(data)/300)
		for n := 0; n < len(data); n += step {
			fingerprint.FromBytes(ctx, data[:n])
		}
	}
}

func FuzzFromBytes(f *testing.F) {
	img := testpages.Page(testpages.Spec{Series: 1, Page: 1, Width: 120, Height: 170})
	b, _ := pirate.EncodeJPEG(img, 70)
	f.Add(b)
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, img)
	f.Add(pngBuf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		fingerprint.FromBytes(ctx, data, fingerprint.WithMaxPixels(1<<20))
	})
}

// Normalisation is symmetric, so a mirrored page finds its page hash
// exactly through the mirror variant.
func TestMirrorExact(t *testing.T) {
	for p := 0; p < 10; p++ {
		img := page(p, p)
		ref, _ := fingerprint.FromImage(img)
		q, err := fingerprint.FromImage(imaging.FlipH(img))
		if err != nil {
			t.Fatal(err)
		}
		d, dd := fingerprint.HashBits, fingerprint.HashBits
		for _, v := range q.Variants {
			if v.Hash == ref.Hash {
				dd = min(dd, v.Detail.Distance(ref.Variants[0].Detail))
			}
			d = min(d, v.Hash.Distance(ref.Hash))
		}
		if d != 0 || dd != 0 {
			t.Errorf("page %d: mirrored copy at distance %d, detail %d", p, d, dd)
		}
	}
}

// The detail hash confirms copies and tells apart the look-alike pages
// that the page hash brings nearest: two pages of tuning series 49 and 70,
// each with a large dark-haired face filling its bottom panel, whose
// bottom halves are the nearest non-matching pair of the 100 tuning
// series (62 bits by Hash, the threshold 33).
func TestDetailHash(t *testing.T) {
	ctx := context.Background()
	spec := func(s, p int) image.Image {
		return testpages.Page(testpages.Spec{Series: s, Page: p, Width: 600, Height: 850})
	}
	a, b := spec(49, 4), spec(70, 7)
	fa, _ := fingerprint.FromImage(a, fingerprint.WithRegions(true))
	fb, _ := fingerprint.FromImage(b, fingerprint.WithRegions(true))
	var jbuf bytes.Buffer
	if err := jpeg.Encode(&jbuf, a, &jpeg.Options{Quality: 60}); err != nil {
		t.Fatal(err)
	}
	fj, err := fingerprint.FromBytes(ctx, jbuf.Bytes(), fingerprint.WithRegions(true))
	if err != nil {
		t.Fatal(err)
	}
	view := func(fp *fingerprint.Fingerprint, k fingerprint.VariantKind) fingerprint.Variant {
		for _, v := range fp.Variants {
			if v.Kind == k {
				return v
			}
		}
		t.Fatalf("no %v view", k)
		return fingerprint.Variant{}
	}
	for _, k := range []fingerprint.VariantKind{fingerprint.VariantPage, fingerprint.VariantBottom} {
		va, vb, vj := view(fa, k), view(fb, k), view(fj, k)
		if va.Detail.IsZero() || va.Detail.Distance(fingerprint.Hash{}) < 64 {
			t.Errorf("%v: detail hash %v is nearly empty", k, va.Detail)
		}
		if d := va.Detail.Distance(vj.Detail); !fingerprint.DetailMatch(va.Detail, vj.Detail, fingerprint.DefaultDetailThreshold) {
			t.Errorf("%v: JPEG copy's detail %d bits off", k, d)
		}
		// Uncorrelated bits would sit near 128 apart.
		if d := va.Detail.Distance(vb.Detail); d < 100 {
			t.Errorf("%v: look-alike pages' details only %d bits apart (hashes %d)", k, d, va.Hash.Distance(vb.Hash))
		}
		t.Logf("%v: look-alikes %d bits by hash, %d by detail; JPEG copy %d and %d",
			k, va.Hash.Distance(vb.Hash), va.Detail.Distance(vb.Detail), va.Hash.Distance(vj.Hash), va.Detail.Distance(vj.Detail))
	}
	if !fingerprint.DetailMatch(fingerprint.Hash{}, fa.Variants[0].Detail, 0) {
		t.Error("a zero detail (not recorded) must confirm")
	}
}
