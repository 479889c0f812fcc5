package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkHash measures "pagematch hash" over the reference folder of the
// test fixture (4 pages of 600×850, JPEG and PNG), one worker against
// GOMAXPROCS. The bytes are the image bytes read per run.
func BenchmarkHash(b *testing.B) {
	f := getFixture(b)
	var size int64
	err := filepath.WalkDir(f.refs, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && looksLikeImage(p, nil) {
			st, err := d.Info()
			if err == nil {
				size += st.Size()
			}
			return err
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range []int{1, 0} {
		name := "workers=" + strconv.Itoa(w)
		args := []string{"hash", "--json", f.refs}
		if w > 0 {
			args = append(args, "--workers", strconv.Itoa(w))
		} else {
			name = "workers=GOMAXPROCS"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if code := run(context.Background(), args, nil, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
