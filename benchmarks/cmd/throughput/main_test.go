package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

const testdata = "../../testdata"

// A tiny run goes through every stage and prints a table and valid JSON.
func TestRunSmall(t *testing.T) {
	rep, err := run(options{
		pages: 1, covers: 1, rounds: 2, slice: time.Millisecond, workers: 2, pool: 50 * time.Millisecond,
		equiv: 1, testdata: testdata, djpeg: !testing.Short(), progress: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sets) != 3 || len(rep.Speedups) != 3 {
		t.Fatalf("sets %v, speedups %v: want grey, colour and progressive", rep.Sets, rep.Speedups)
	}
	for _, r := range rep.Rows {
		if r.PagesPerS <= 0 || r.MBPerS <= 0 || r.Pages < 2 {
			t.Errorf("row %+v: want positive rates over both rounds", r)
		}
		if (r.Allocs == nil) != (r.Pipeline == "djpeg") {
			t.Errorf("row %s/%s: allocations measured for Go pipelines only", r.Set, r.Pipeline)
		}
	}
	if rep.Pool == nil || rep.Pool.Pages == 0 {
		t.Errorf("pool %+v: want pages done", rep.Pool)
	}
	var md bytes.Buffer
	writeMarkdown(&md, rep)
	for _, want := range []string{"| grey | (a) fingerprint.FromBytes", "| progressive |", "Worker pool", "Fast path vs full decode"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatal(err)
	}
}

func TestIsProgressive(t *testing.T) {
	base, err := pirate.EncodeJPEG(testpages.Blank(testpages.BlankWhite, 16, 16), 85)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := progressiveSet(testdata)
	if err != nil || len(prog.pages) == 0 {
		t.Fatalf("progressive testdata: %v, %d files", err, len(prog.pages))
	}
	if isProgressive(base) {
		t.Error("image/jpeg's baseline output taken for progressive")
	}
	for _, b := range [][]byte{nil, {0xFF, 0xD8}, {0xFF, 0xD8, 0xFF, 0xE0, 0xFF}, base[:40]} {
		if isProgressive(b) {
			t.Errorf("% x taken for progressive", b)
		}
	}
}

func TestDistOf(t *testing.T) {
	if d := distOf(nil); d != (dist{}) {
		t.Errorf("empty: %v", d)
	}
	d := make([]int, 20)
	for i := range d {
		d[i] = 20 - i
	}
	want := dist{N: 20, Min: 1, Median: 11, P95: 20, Max: 20, Mean: 10.5}
	if got := distOf(d); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

// The fast path must stay close to the full decode on the same bytes. The
// bound, the match threshold, is on the median and catches a fast path that
// drifts on every page; single pages whose content box differs on the DC
// thumbnail show in the program's p95 and max instead (run it with the
// default -equiv 100 for the figures).
func TestEquivalence(t *testing.T) {
	const n = 12
	prog, err := progressiveSet(testdata)
	if err != nil {
		t.Fatal(err)
	}
	eq, err := equivalence(n, 0, prog)
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	writeEquivalence(&md, &eq)
	t.Log(md.String())
	if r := eq.Recall["grey"]["fast"]; r.FastPath != n {
		t.Errorf("fast path taken on %d of %d greyscale pages", r.FastPath, n)
	}
	if d := eq.FastVsFull["grey"]; d.Median > fingerprint.DefaultThreshold {
		t.Errorf("fast vs full on greyscale pages: %v", d)
	}
}
