package jpegdc

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteSources writes the PGM/PPM pictures that testdata/gen.sh turns
// into JPEGs with libjpeg-turbo's tools. It runs only when asked:
// JPEGDC_WRITE_SOURCES=dir go test -run TestWriteSources.
func TestWriteSources(t *testing.T) {
	dir := os.Getenv("JPEGDC_WRITE_SOURCES")
	if dir == "" {
		t.Skip("JPEGDC_WRITE_SOURCES not set")
	}
	const w, h = 131, 93 // odd sizes: partial MCUs at both edges
	g := synthGray(3, w, h, 2)
	pgm := fmt.Appendf(nil, "P5\n%d %d\n255\n", w, h)
	pgm = append(pgm, g.Pix...)
	c := synthColour(3, w, h, 2)
	ppm := fmt.Appendf(nil, "P6\n%d %d\n255\n", w, h)
	for i := 0; i < w*h; i++ {
		ppm = append(ppm, c.Pix[4*i:4*i+3]...)
	}
	// A half-size page for the progressive benchmark.
	p := mangaPage(600, 850, 1)
	page := fmt.Appendf(nil, "P5\n%d %d\n255\n", 600, 850)
	page = append(page, p.Pix...)
	for name, b := range map[string][]byte{"grey.pgm": pgm, "colour.ppm": ppm, "page.pgm": page} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
