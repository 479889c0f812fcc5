package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// TestBuildRegions: by default an index also holds the pages' halves, and
// match looks the halves up, so a copy with a large logo over its lower
// half matches; an index built --regions=false misses the same copy. Both
// store detail hashes (format version 3).
func TestBuildRegions(t *testing.T) {
	f := getFixture(t)
	page := testpages.Page(spec(3))
	logo, err := pirate.Watermark(pirate.WatermarkSpec{Kind: "logo", Text: "SCANS", Area: 0.05, X: 0.5, Y: 0.7, Alpha: 1,
		Color: pirate.RGB{R: 40, G: 40, B: 160}}).Apply(page, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := pirate.EncodeJPEG(logo, 75)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	suspect := filepath.Join(dir, "logo.jpg")
	if err := os.WriteFile(suspect, body, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		flag    string
		version string
		match   bool
	}{{"--regions", "format version  3", true}, {"--regions=false", "format version  3", false}} {
		out := filepath.Join(dir, strings.TrimPrefix(tc.flag, "--")+".pmx")
		pmOK(t, "index", "build", tc.flag, "-o", out, f.refs)
		if info, _ := pmOK(t, "index", "info", out); !strings.Contains(info, tc.version) {
			t.Errorf("%s: info does not say %s:\n%s", tc.flag, tc.version, info)
		}
		stdout, _ := pmOK(t, "match", "--json", "--index", out, suspect)
		recs := jsonLines(t, stdout)
		if len(recs) != 1 || recs[0]["match"] != tc.match {
			t.Fatalf("%s: %v, want match %v", tc.flag, recs, tc.match)
		}
		if tc.match && (recs[0]["id"] != "b/p003.jpg" || !strings.HasPrefix(recs[0]["variant"].(string), "top")) {
			t.Errorf("%s: matched %v through %v, want b/p003.jpg through its top half", tc.flag, recs[0]["id"], recs[0]["variant"])
		}
	}
}
