package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pagematch/pagematch/internal/pirate"
)

// TestQuickstart runs the demonstration in a small configuration: one copy
// per transform family and a few distractors.
func TestQuickstart(t *testing.T) {
	cfg := config{Series: 1, Pages: 6, Distractors: 4, PerFamily: 1, Width: 600, Height: 850, Seed: 7}
	dir := t.TempDir()
	var out bytes.Buffer
	sum, err := run(context.Background(), cfg, dir, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())

	families := len(pirate.Families())
	if !pirate.CwebpAvailable() {
		families--
	}
	if sum.Copies != families || sum.Distractors != cfg.Distractors || len(sum.Rows) != families+cfg.Distractors {
		t.Errorf("%d copies, %d distractors, %d rows; want %d, %d", sum.Copies, sum.Distractors, len(sum.Rows), families, cfg.Distractors)
	}
	if sum.False != 0 || sum.WrongPage != 0 {
		t.Errorf("%d false matches, %d wrong-page matches", sum.False, sum.WrongPage)
	}
	// Recall per family is measured on hundreds of pages by the robustness
	// report; one copy per family here only shows that matching works. The
	// families that reach 99% there must match here; the others may miss.
	if 2*sum.Found < sum.Copies {
		t.Errorf("recall %d/%d", sum.Found, sum.Copies)
	}
	for _, r := range sum.Rows {
		for _, fam := range []string{"jpeg-", "mirror", "scanlation-"} {
			if r.Expect != "" && strings.HasPrefix(r.Transform, fam) && !r.OK {
				t.Errorf("%s (%s) was not found", r.File, r.Transform)
			}
		}
	}
	for _, r := range sum.Rows {
		if r.Verdict == "error" {
			t.Errorf("%s: %s", r.File, r.ID)
		}
		if _, err := os.Stat(filepath.Join(sum.SuspectDir, r.File)); err != nil {
			t.Error(err)
		}
	}
	for _, s := range []string{"FILE", "TRANSFORM", "EXPECTED", "VERDICT", "DISTANCE", "recall ", "false matches 0/4"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

func TestQuickstartConfig(t *testing.T) {
	var out bytes.Buffer
	if _, err := run(context.Background(), config{Series: 1, Pages: 1}, t.TempDir(), &out); err == nil {
		t.Error("a one-page volume was accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := run(ctx, defaultConfig(), t.TempDir(), &out); err == nil {
		t.Error("a cancelled run succeeded")
	}
}
