package jpegdc

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// namedPage is a test JPEG.
type namedPage struct {
	name string
	data []byte
}

// realPages are full-size test pages as the fast path sees them: greyscale
// pages and colour covers (4:2:0) encoded by image/jpeg at quality 85, and,
// when libjpeg-turbo's cjpeg is on PATH, the same pages at 4:4:4 and 4:2:2,
// optimised with restart markers, and progressive; then the progressive
// pages of benchmarks/testdata.
var realPages = sync.OnceValue(func() []namedPage {
	var out []namedPage
	add := func(name string, data []byte, err error) {
		if err != nil {
			panic(fmt.Sprintf("%s: %v", name, err))
		}
		out = append(out, namedPage{name, data})
	}
	for s := range 3 {
		spec := testpages.Spec{Series: s, Page: 1}
		grey, cover := testpages.Page(spec), testpages.Cover(spec)
		b, err := pirate.EncodeJPEG(grey, 85)
		add(fmt.Sprintf("grey-s%d", s), b, err)
		b, err = pirate.EncodeJPEG(cover, 85)
		add(fmt.Sprintf("colour420-s%d", s), b, err)
		if _, err := exec.LookPath("cjpeg"); err != nil || s > 0 {
			continue
		}
		ppm := fmt.Appendf(nil, "P6\n%d %d\n255\n", cover.Rect.Dx(), cover.Rect.Dy())
		for i := 0; i < len(cover.Pix); i += 4 {
			ppm = append(ppm, cover.Pix[i:i+3]...)
		}
		pgm := fmt.Appendf(nil, "P5\n%d %d\n255\n", grey.Rect.Dx(), grey.Rect.Dy())
		pgm = append(pgm, grey.Pix...)
		for _, c := range []struct {
			name string
			src  []byte
			args []string
		}{
			{"colour444", ppm, []string{"-sample", "1x1"}},
			{"colour422", ppm, []string{"-sample", "2x1"}},
			{"colour420-opt-rst", ppm, []string{"-optimize", "-restart", "3B"}},
			{"grey-rst", pgm, []string{"-grayscale", "-restart", "1"}},
			{"progressive-colour", ppm, []string{"-progressive"}},
			{"progressive-grey", pgm, []string{"-grayscale", "-progressive"}},
		} {
			cmd := exec.Command("cjpeg", append([]string{"-quality", "85"}, c.args...)...)
			cmd.Stdin = bytes.NewReader(c.src)
			b, err := cmd.Output()
			add(fmt.Sprintf("%s-s%d", c.name, s), b, err)
		}
	}
	files, _ := filepath.Glob("../../../benchmarks/testdata/*.jpg")
	for _, f := range files {
		b, err := os.ReadFile(f)
		add(filepath.Base(f), b, err)
	}
	return out
})

// refPages are realPages and the package's test files.
func refPages(t testing.TB) []namedPage {
	pages := realPages()
	for _, name := range testdataFiles(t) {
		pages = append(pages, namedPage{name, readTestdata(t, name)})
	}
	return pages
}

// sameAsRef checks that the scan decoder and its reference give the same
// thumbnail, or both an error, on data.
func sameAsRef(t *testing.T, name string, data []byte, d, r *Decoder) {
	t.Helper()
	got, _, err := d.Decode(data, nil)
	want, _, errRef := r.decodeRef(data, nil)
	switch {
	case (err == nil) != (errRef == nil):
		t.Fatalf("%s: error %v, reference %v", name, err, errRef)
	case err == nil && (got.Rect != want.Rect || !bytes.Equal(got.Pix, want.Pix)):
		t.Fatalf("%s: thumbnail differs from the reference", name)
	}
}

// TestScanMatchesRef checks that the scan decoder gives the reference's
// thumbnails on real pages, their truncations and corrupted copies.
func TestScanMatchesRef(t *testing.T) {
	pages := refPages(t)
	d, r := NewDecoder(), NewDecoder()
	rng := rand.New(rand.NewPCG(4, 1))
	for _, p := range pages {
		sameAsRef(t, p.name, p.data, d, r)
		for i := range 20 {
			n := rng.IntN(len(p.data))
			sameAsRef(t, fmt.Sprintf("%s[:%d]", p.name, n), p.data[:n], d, r)
			c := bytes.Clone(p.data)
			for range 1 + i%4 {
				c[len(c)/8+rng.IntN(len(c)*7/8)] = uint8(rng.Uint32())
			}
			sameAsRef(t, fmt.Sprintf("%s corrupted %d", p.name, i), c, d, r)
		}
	}
	t.Logf("%d pages", len(pages))
}

// BenchmarkScan decodes real pages with the reference scan decoder and the
// current one, alternately in one binary.
func BenchmarkScan(b *testing.B) {
	for _, p := range realPages() {
		for _, v := range []struct {
			name   string
			decode func(*Decoder, []byte, *image.Gray) (*image.Gray, Config, error)
		}{{"ref", (*Decoder).decodeRef}, {"new", (*Decoder).Decode}} {
			b.Run(p.name+"/"+v.name, func(b *testing.B) {
				d := NewDecoder()
				var dst *image.Gray
				b.SetBytes(int64(len(p.data)))
				for b.Loop() {
					var err error
					if dst, _, err = v.decode(d, p.data, dst); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkScanPair times the reference and the current scan decoder on
// each page in turn within every iteration, so that both see the same load
// on a noisy machine; it reports each one's time per decode and new/ref.
func BenchmarkScanPair(b *testing.B) {
	for _, p := range realPages() {
		b.Run(p.name, func(b *testing.B) {
			d, r := NewDecoder(), NewDecoder()
			var dst, dstRef *image.Gray
			var tNew, tRef time.Duration
			for i := 0; b.Loop(); i++ {
				for j := range 2 {
					t0 := time.Now()
					var err error
					if (i+j)%2 == 0 {
						dst, _, err = d.Decode(p.data, dst)
						tNew += time.Since(t0)
					} else {
						dstRef, _, err = r.decodeRef(p.data, dstRef)
						tRef += time.Since(t0)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(tRef.Nanoseconds())/float64(b.N), "ref-ns/op")
			b.ReportMetric(float64(tNew.Nanoseconds())/float64(b.N), "new-ns/op")
			b.ReportMetric(float64(tNew)/float64(tRef), "new/ref")
		})
	}
}

// TestFinishMatchesRef checks the table-driven conversion of DC values to
// pixels against the arithmetic kept in the test, over quantisers, missing
// refinement bits and DC values up to the int32 extremes.
func TestFinishMatchesRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 2))
	var d Decoder
	d.outW, d.outH, d.coefW = 64, 70, 64
	d.coef = make([]int32, 64*70)
	for _, q := range []int32{0, 1, 2, 3, 7, 16, 99, 255, 256, 1000, 65535} {
		for _, al := range []int{0, 1, 2, 7, 13} {
			d.yq, d.yAl = q, al
			for i := range d.coef {
				switch i % 4 {
				case 0:
					d.coef[i] = int32(rng.Uint32())
				case 1:
					d.coef[i] = int32(i) - 2240 // every value around 0
				default:
					d.coef[i] = int32(rng.IntN(1<<14) - 1<<13)
				}
			}
			d.coef[0], d.coef[1], d.coef[2], d.coef[3] = math.MaxInt32, math.MinInt32, pixelHalf, -pixelHalf-1
			got, want := d.finish(nil), d.finishRef(nil)
			if !bytes.Equal(got.Pix, want.Pix) {
				t.Fatalf("q %d, al %d: pixels differ from the reference", q, al)
			}
		}
	}
}

// BenchmarkFinish converts a decoded page's DC values to pixels with the
// reference arithmetic and with the table.
func BenchmarkFinish(b *testing.B) {
	d := NewDecoder()
	if _, _, err := d.Decode(realPages()[0].data, nil); err != nil {
		b.Fatal(err)
	}
	dst := image.NewGray(image.Rect(0, 0, d.outW, d.outH))
	for range 3 {
		b.Run("ref", func(b *testing.B) {
			for b.Loop() {
				d.finishRef(dst)
			}
		})
		b.Run("new", func(b *testing.B) {
			for b.Loop() {
				d.finish(dst)
			}
		})
	}
}

// FuzzScanMatchesRef checks that the scan decoder and its reference agree
// on arbitrary data: the same thumbnail, or both an error.
func FuzzScanMatchesRef(f *testing.F) {
	for _, name := range testdataFiles(f) {
		f.Add(readTestdata(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, r := NewDecoder(WithMaxPixels(1<<22)), NewDecoder(WithMaxPixels(1<<22))
		sameAsRef(t, "input", data, d, r)
	})
}
