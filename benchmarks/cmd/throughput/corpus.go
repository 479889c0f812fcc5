package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// quality is the JPEG quality of the synthetic pages (issue 4).
const quality = 85

// page is one encoded test image.
type page struct {
	name string
	data []byte
	path string // on disk, for djpeg; empty until written
}

// set is a named group of pages measured together.
type set struct {
	name  string
	pages []page
}

func (s *set) bytes() int64 {
	var n int64
	for _, p := range s.pages {
		n += int64(len(p.data))
	}
	return n
}

// sizes returns the smallest, median and largest page size in bytes.
func (s *set) sizes() (lo, med, hi int) {
	n := make([]int, len(s.pages))
	for i, p := range s.pages {
		n[i] = len(p.data)
	}
	slices.Sort(n)
	return n[0], n[len(n)/2], n[len(n)-1]
}

// specOf spreads page i over ten series, so that the sample mixes the
// series' styles (margins, screentone density) and same-layout pages.
func specOf(i int) testpages.Spec { return testpages.Spec{Series: i % 10, Page: i / 10} }

// parallel runs f(0..n-1) on all cores and returns the first error.
func parallel(n int, f func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				errs[i] = f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// render encodes n images, made by img(i), as JPEG at quality 85: greyscale
// images give greyscale JPEGs and colour ones 4:2:0 (image/jpeg's choice).
func render(name string, n int, img func(i int) image.Image) (set, error) {
	s := set{name: name, pages: make([]page, n)}
	err := parallel(n, func(i int) error {
		b, err := pirate.EncodeJPEG(img(i), quality)
		s.pages[i] = page{name: fmt.Sprintf("%s-%03d", name, i), data: b}
		return err
	})
	return s, err
}

func greySet(n int) (set, error) {
	return render("grey", n, func(i int) image.Image { return testpages.Page(specOf(i)) })
}

func colourSet(n int) (set, error) {
	return render("colour", n, func(i int) image.Image { return testpages.Cover(specOf(i)) })
}

// isProgressive reports whether a JPEG's frame header is SOF2.
func isProgressive(b []byte) bool {
	for i := 2; i+3 < len(b) && b[i] == 0xFF; {
		m := b[i+1]
		switch {
		case m == 0xC2:
			return true
		case m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC, m == 0xDA:
			return false
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	return false
}

// progressiveSet loads the progressive JPEGs committed in dir.
func progressiveSet(dir string) (set, error) {
	s := set{name: "progressive"}
	files, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil {
		return s, fmt.Errorf("throughput: %w", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return s, fmt.Errorf("throughput: %w", err)
		}
		if !isProgressive(b) {
			return s, fmt.Errorf("throughput: %s is not a progressive JPEG", f)
		}
		s.pages = append(s.pages, page{name: filepath.Base(f), data: b})
	}
	return s, nil
}

// progressiveFiles are the pages committed to benchmarks/testdata: two
// greyscale pages and one colour cover, the smaller ones of the sample so
// that the repository stays light.
var progressiveFiles = []struct {
	name   string
	spec   testpages.Spec
	colour bool
}{
	{"prog-grey-s4p1.jpg", testpages.Spec{Series: 4, Page: 1}, false},
	{"prog-grey-s7p0.jpg", testpages.Spec{Series: 7, Page: 0}, false},
	{"prog-colour-s4p0.jpg", testpages.Spec{Series: 4, Page: 0}, true},
}

// makeProgressive writes progressiveFiles into dir: each page is encoded
// by image/jpeg at quality 85 (baseline only), then losslessly rewritten
// as progressive by jpegtran, so its DCT coefficients are those of the
// baseline file.
func makeProgressive(dir string) error {
	if _, err := exec.LookPath("jpegtran"); err != nil {
		return fmt.Errorf("throughput: jpegtran not found (apt-get install libjpeg-turbo-progs): %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("throughput: %w", err)
	}
	for _, f := range progressiveFiles {
		img := image.Image(testpages.Page(f.spec))
		if f.colour {
			img = testpages.Cover(f.spec)
		}
		base, err := pirate.EncodeJPEG(img, quality)
		if err != nil {
			return err
		}
		var out, stderr bytes.Buffer
		cmd := exec.Command("jpegtran", "-progressive", "-copy", "none")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(base), &out, &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("throughput: jpegtran: %w: %s", err, stderr.String())
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), out.Bytes(), 0o644); err != nil {
			return fmt.Errorf("throughput: %w", err)
		}
	}
	return nil
}
