// Command mkwebp writes the WebP test files of the fingerprint tests: for
// six small synthetic pages, testpages.Spec{Series: 900+i, Width: 360,
// Height: 510} for i in 0..5, a lossy file (cwebp -q 50) and a lossless
// one, named s<series>-lossy.webp and s<series>-lossless.webp. It needs the
// cwebp program (Debian package webp).
//
//	go run ./internal/pirate/cmd/mkwebp -out internal/testpages/testdata/webp
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

func main() {
	out := flag.String("out", "", "directory to write the .webp files into (created if missing)")
	q := flag.Int("q", 50, "quality of the lossy files")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "mkwebp: -out is required")
		os.Exit(2)
	}
	if err := run(*out, *q); err != nil {
		fmt.Fprintln(os.Stderr, "mkwebp:", err)
		os.Exit(1)
	}
}

func run(dir string, q int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 0; i < 6; i++ {
		s := testpages.Spec{Series: 900 + i, Width: 360, Height: 510}
		page := testpages.Page(s)
		for _, lossless := range []bool{false, true} {
			b, err := pirate.EncodeWebP(page, q, lossless)
			if err != nil {
				return err
			}
			kind := "lossy"
			if lossless {
				kind = "lossless"
			}
			name := filepath.Join(dir, fmt.Sprintf("s%d-%s.webp", s.Series, kind))
			if err := os.WriteFile(name, b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
