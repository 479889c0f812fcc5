// Package benchmarks measures pagematch's speed on synthetic manga pages
// (issue 4). It has tests and benchmarks only:
//
//	go test ./benchmarks -run XXX -bench . -benchmem
//
// Each op is one page; the sub-benchmark's pages are visited in turn and
// b.SetBytes is their mean size, so MB/s is JPEG bytes per second. The
// cpu-ms/op metric is the process's CPU time per page: on a busy shared
// machine it moves less than ns/op, and it charges goimagehash for the
// extra cores its resizer uses. For per-core figures, ratios measured in
// one run and libjpeg-turbo as a reference, use benchmarks/cmd/throughput.
package benchmarks

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/corona10/goimagehash"
	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// Sample sizes: enough pages to mix the series' styles, few enough that
// rendering them takes about a second.
const (
	greyPages   = 8
	colourPages = 4
	quality     = 85
)

var ctx = context.Background()

// encodeAll renders n pages with img and encodes them at quality 85.
func encodeAll(n int, img func(testpages.Spec) image.Image) ([][]byte, error) {
	out := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			out[i], errs[i] = pirate.EncodeJPEG(img(testpages.Spec{Series: i % 10, Page: i / 10}), quality)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sample is the benchmark corpus, built once per test binary.
var sample = sync.OnceValues(func() (map[string][][]byte, error) {
	grey, err := encodeAll(greyPages, func(s testpages.Spec) image.Image { return testpages.Page(s) })
	if err != nil {
		return nil, err
	}
	colour, err := encodeAll(colourPages, func(s testpages.Spec) image.Image { return testpages.Cover(s) })
	if err != nil {
		return nil, err
	}
	prog, err := progressive()
	return map[string][][]byte{"grey": grey, "colour": colour, "progressive": prog}, err
})

// progressive reads the committed progressive JPEGs (made by
// go run ./benchmarks/cmd/throughput -make-progressive benchmarks/testdata).
func progressive() ([][]byte, error) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.jpg"))
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// sets are the sample's sub-benchmarks, in order.
var sets = []string{"grey", "colour", "progressive"}

// pipeline runs one page from JPEG bytes to a hash.
type pipeline func(data []byte) error

func benchPipeline(b *testing.B, run pipeline) {
	s, err := sample()
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range sets {
		b.Run(name, func(b *testing.B) {
			pages := s[name]
			if len(pages) == 0 {
				b.Skip("no progressive JPEGs in benchmarks/testdata; make them with go run ./benchmarks/cmd/throughput -make-progressive benchmarks/testdata (needs jpegtran)")
			}
			var total int64
			for _, p := range pages {
				total += int64(len(p))
			}
			b.SetBytes(total / int64(len(pages)))
			b.ReportAllocs()
			cpu0, i := cpuTime(), 0
			for b.Loop() {
				if err := run(pages[i%len(pages)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(cpu.Seconds()*1e3/float64(b.N), "cpu-ms/op")
			}
		})
	}
}

// BenchmarkFastPath is pipeline (a): FromBytes with its defaults, which
// take the DC-only JPEG fast path.
func BenchmarkFastPath(b *testing.B) {
	benchPipeline(b, func(data []byte) error {
		_, err := fingerprint.FromBytes(ctx, data)
		return err
	})
}

// BenchmarkFullDecode is pipeline (b): FromBytes with a full JPEG decode.
func BenchmarkFullDecode(b *testing.B) {
	benchPipeline(b, func(data []byte) error {
		_, err := fingerprint.FromBytes(ctx, data, fingerprint.WithFastPath(false))
		return err
	})
}

// BenchmarkGoimagehash is pipeline (c), the straightforward one:
// image/jpeg.Decode, then goimagehash.PerceptionHash. On the colour set it
// is pipeline (d).
func BenchmarkGoimagehash(b *testing.B) {
	benchPipeline(b, func(data []byte) error {
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			return err
		}
		_, err = goimagehash.PerceptionHash(img)
		return err
	})
}

// BenchmarkImageJPEG is image/jpeg.Decode alone: how much of (c) is
// decoding.
func BenchmarkImageJPEG(b *testing.B) {
	benchPipeline(b, func(data []byte) error {
		_, err := jpeg.Decode(bytes.NewReader(data))
		return err
	})
}
