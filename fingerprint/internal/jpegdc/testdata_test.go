package jpegdc

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testdataFiles lists the decodable files made by testdata/gen.sh.
func testdataFiles(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob("testdata/*.jpg")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		n = filepath.Base(n)
		if n != "arith.jpg" && n != "cmyk.jpg" {
			out = append(out, n)
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d testdata files", len(out))
	}
	return out
}

func TestTestdataMatchesImageJPEG(t *testing.T) {
	worstMean, worstMax := 0.0, 0.0
	for _, name := range testdataFiles(t) {
		data := readTestdata(t, name)
		full, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			// Sampling image/jpeg rejects: use libjpeg's luma.
			full = readPGM(t, strings.TrimSuffix(name, ".jpg")+".ref.pgm")
		}
		mean, maxd := compareWith(t, data, full)
		t.Logf("%-26s mean %.3f max %.2f", name, mean, maxd)
		worstMean, worstMax = max(worstMean, mean), max(worstMax, maxd)
		if mean > 1.5 {
			t.Errorf("%s: mean diff %.3f (max %.1f)", name, mean, maxd)
		}
	}
	t.Logf("worst mean %.3f, worst max %.2f", worstMean, worstMax)
}

func TestTestdataConfig(t *testing.T) {
	for _, name := range testdataFiles(t) {
		cfg, err := DecodeConfig(readTestdata(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := Config{Width: 131, Height: 93, Components: 3, Progressive: strings.HasPrefix(name, "prog_"), Orientation: 1}
		if strings.Contains(name, "grey") || name == "sof1_q16.jpg" || name == "exif_8_mm.jpg" {
			want.Components = 1
		}
		if name == "prog_page.jpg" {
			want.Width, want.Height, want.Components = 600, 850, 1
		}
		switch name {
		case "exif_6_ii.jpg":
			want.Orientation = 6
		case "exif_8_mm.jpg":
			want.Orientation = 8
		}
		if cfg != want {
			t.Errorf("%s: config %+v, want %+v", name, cfg, want)
		}
	}
}

func TestUnsupported(t *testing.T) {
	for _, name := range []string{"arith.jpg", "cmyk.jpg"} {
		if _, _, err := Decode(readTestdata(t, name), 0); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: got %v, want ErrUnsupported", name, err)
		}
	}
	// 12-bit samples: patch the precision byte of a baseline frame header.
	data := readTestdata(t, "grey_q50.jpg")
	i := strings.Index(string(data), "\xff\xc0")
	data[i+4] = 12
	if _, _, err := Decode(data, 0); !errors.Is(err, ErrUnsupported) {
		t.Errorf("12-bit: got %v, want ErrUnsupported", err)
	}
}

// readPGM reads a binary 8-bit PGM as written by djpeg.
func readPGM(t testing.TB, name string) *image.Gray {
	t.Helper()
	b := readTestdata(t, name)
	var w, h, maxv int
	n, err := fmt.Sscanf(string(b), "P5\n%d %d\n%d", &w, &h, &maxv)
	if err != nil || n != 3 || maxv != 255 {
		t.Fatalf("%s: bad PGM header: %v", name, err)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	copy(img.Pix, b[len(b)-w*h:])
	return img
}
