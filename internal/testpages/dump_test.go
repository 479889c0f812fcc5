package testpages

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestDump writes sample pages as PNG for a person to look at:
//
//	TESTPAGES_DUMP=/tmp/pages go test -run Dump ./internal/testpages
func TestDump(t *testing.T) {
	dir := os.Getenv("TESTPAGES_DUMP")
	if dir == "" {
		t.Skip("set TESTPAGES_DUMP to a directory to write PNGs")
	}
	write := func(name string, img image.Image) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []Spec{{Series: 1, Page: 0}, {Series: 1, Page: 1}, {Series: 2, Page: 5}, {Series: 3, Page: 2}, {Series: 1, Page: 0, Text: 1}, {Series: 4, Page: 7, Width: 600, Height: 850}} {
		write(fmt.Sprintf("s%d_p%d_t%d_%d.png", s.Series, s.Page, s.Text, s.Width), Page(s))
	}
	write("cover.png", Cover(Spec{Series: 4, Page: 7, Width: 600, Height: 850}))
	for _, k := range BlankKinds() {
		write("blank_"+k.String()+".png", Blank(k, 300, 425))
	}
}
