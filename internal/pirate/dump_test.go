package pirate

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pagematch/pagematch/internal/testpages"
)

// TestDump writes every transform of All applied to one page as PNG, for a
// person to look at:
//
//	PIRATE_DUMP=/tmp/pirate go test -run Dump ./internal/pirate
func TestDump(t *testing.T) {
	dir := os.Getenv("PIRATE_DUMP")
	if dir == "" {
		t.Skip("set PIRATE_DUMP to a directory to write PNGs")
	}
	s := testpages.Spec{Series: 2, Page: 6, Width: 600, Height: 850}
	for _, tr := range All() {
		out, err := tr.Run(s, seeded(1))
		if err != nil {
			t.Logf("%s: %v", tr.Name, err)
			continue
		}
		name := strings.NewReplacer("+", "_", ",", "_").Replace(tr.Name)
		f, err := os.Create(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, out); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}
