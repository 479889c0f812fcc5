package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// summary is what a run found.
type summary struct {
	IndexPath, SuspectDir string
	Rows                  []row
	Copies, Found         int // pirate copies of indexed pages, and those matched to their page
	WrongPage             int // copies matched to another page
	Distractors, False    int // never-indexed pages, and those that matched anything
}

// row is the verdict on one suspect file.
type row struct {
	File, Transform string
	Expect          string // the ID of the copied page, "" for a distractor
	Verdict         string // "match", "no match" or "error"
	ID              string // the best match
	Distance        int
	OK              bool
}

// suspect is one file to make: a pirate copy of a page, or a distractor.
type suspect struct {
	spec      testpages.Spec
	family    string // "" for a clean copy
	file      string
	transform string
	expect    string // ID of the page copied; "" for a distractor
	partner   string // the other page of a spread, also a correct answer
}

// run makes the volume, the index and the suspects under dir, matches the
// suspects, prints the verdicts to w and returns the summary.
func run(ctx context.Context, cfg config, dir string, w io.Writer) (summary, error) {
	if err := cfg.check(); err != nil {
		return summary{}, err
	}
	sum := summary{IndexPath: filepath.Join(dir, "ref.pmx"), SuspectDir: filepath.Join(dir, "suspect")}
	pagesDir := filepath.Join(dir, "pages")

	start := time.Now()
	refs := referenceSpecs(cfg)
	ids := make([]string, len(refs))
	for i, s := range refs {
		ids[i] = pageID(s)
	}
	err := parallel(ctx, cfg.workers(), len(refs), func(i int) error {
		data, err := pirate.EncodeJPEG(testpages.Page(refs[i]), 90)
		if err != nil {
			return err
		}
		return writeFile(filepath.Join(pagesDir, filepath.FromSlash(ids[i])), data)
	})
	if err != nil {
		return sum, err
	}
	fmt.Fprintf(w, "1. rendered %d reference pages (%d series × %d pages, %d×%d JPEG) into %s in %v\n",
		len(refs), cfg.Series, cfg.Pages, cfg.Width, cfg.Height, pagesDir, since(start))

	start = time.Now()
	n, err := buildIndex(ctx, cfg, pagesDir, ids, sum.IndexPath)
	if err != nil {
		return sum, err
	}
	fmt.Fprintf(w, "2. indexed them into %s (%d bytes) in %v\n", sum.IndexPath, n, since(start))

	start = time.Now()
	plan := planSuspects(cfg)
	err = parallel(ctx, cfg.workers(), len(plan), func(i int) error {
		return makeSuspect(&plan[i], cfg, sum.SuspectDir, rand.New(rand.NewPCG(cfg.Seed, uint64(i))))
	})
	if err != nil {
		return sum, err
	}
	fmt.Fprintf(w, "3. made %d suspect files (pirate copies of indexed pages, and never-indexed pages) in %v\n",
		len(plan), since(start))
	if !pirate.CwebpAvailable() {
		fmt.Fprintln(w, "   (cwebp is not installed: the WebP family is left out; apt-get install webp adds it)")
	}

	start = time.Now()
	ix, err := index.Open(sum.IndexPath)
	if err != nil {
		return sum, err
	}
	sum.Rows = make([]row, len(plan))
	err = parallel(ctx, cfg.workers(), len(plan), func(i int) error {
		sum.Rows[i] = check(ctx, ix, sum.SuspectDir, plan[i])
		return nil
	})
	if err != nil {
		return sum, err
	}
	fmt.Fprintf(w, "4. looked them up in %v\n\n", since(start))

	for i, r := range sum.Rows {
		if plan[i].expect == "" {
			sum.Distractors++
			if r.Verdict == "match" {
				sum.False++
			}
			continue
		}
		sum.Copies++
		switch {
		case r.OK:
			sum.Found++
		case r.Verdict == "match":
			sum.WrongPage++
		}
	}
	printTable(w, sum.Rows)
	fmt.Fprintf(w, "\nDistances are Hamming distances between 256-bit fingerprints; a match needs ≤ %d (fingerprint.DefaultThreshold)\n"+
		"and its 256-bit detail hashes within %d (fingerprint.DefaultDetailThreshold).\n", ix.Threshold(), ix.DetailThreshold())
	fmt.Fprintf(w, "recall %d/%d, false matches %d/%d (distractors), wrong-page matches %d\n",
		sum.Found, sum.Copies, sum.False, sum.Distractors, sum.WrongPage)
	return sum, nil
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }

func referenceSpecs(cfg config) []testpages.Spec {
	var specs []testpages.Spec
	for s := range cfg.Series {
		for p := range cfg.Pages {
			specs = append(specs, testpages.Spec{Series: s, Page: p, Width: cfg.Width, Height: cfg.Height})
		}
	}
	return specs
}

// pageID is the entry ID of a page: its path relative to the pages folder,
// as "pagematch index build" names it.
func pageID(s testpages.Spec) string {
	return fmt.Sprintf("series-%02d/p%03d.jpg", s.Series, s.Page)
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// buildIndex fingerprints the reference files and saves the index; it
// returns the file size.
func buildIndex(ctx context.Context, cfg config, pagesDir string, ids []string, out string) (int64, error) {
	fps := make([]*fingerprint.Fingerprint, len(ids))
	err := parallel(ctx, cfg.workers(), len(ids), func(i int) error {
		f, err := os.Open(filepath.Join(pagesDir, filepath.FromSlash(ids[i])))
		if err != nil {
			return err
		}
		defer f.Close()
		// With the halves, a copy with a logo over one half still
		// matches through the other.
		fps[i], err = fingerprint.FromReader(ctx, f, fingerprint.WithRegions(true))
		return err
	})
	if err != nil {
		return 0, err
	}
	b := index.NewBuilder()
	for i, fp := range fps {
		var s testpages.Spec
		if _, err := fmt.Sscanf(ids[i], "series-%d/p%d.jpg", &s.Series, &s.Page); err != nil {
			return 0, err
		}
		meta := index.Meta{{Key: "series", Value: strconv.Itoa(s.Series)}, {Key: "page", Value: strconv.Itoa(s.Page)}}
		if err := b.Add(index.NewEntry(ids[i], fp, meta)); err != nil {
			return 0, err
		}
	}
	if err := b.Save(out); err != nil {
		return 0, err
	}
	st, err := os.Stat(out)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// planSuspects lists the files to make: PerFamily copies of random indexed
// pages for every transform family, then the distractors, half of them
// clean and half pirated (never as spreads, whose other page may be
// indexed).
func planSuspects(cfg config) []suspect {
	rng := rand.New(rand.NewPCG(cfg.Seed, 1<<32))
	families := pirate.Families()
	if !pirate.CwebpAvailable() {
		families = slices.DeleteFunc(families, func(f string) bool { return f == "webp" })
	}
	var plan []suspect
	for _, fam := range families {
		for range cfg.PerFamily {
			s := testpages.Spec{Series: rng.IntN(cfg.Series), Page: rng.IntN(cfg.Pages), Width: cfg.Width, Height: cfg.Height}
			plan = append(plan, suspect{spec: s, family: fam, expect: pageID(s)})
		}
	}
	pirated := slices.DeleteFunc(slices.Clone(families), func(f string) bool { return f == "spread" })
	for d := range cfg.Series * cfg.Distractors {
		s := testpages.Spec{Series: d % cfg.Series, Page: cfg.Pages + d/cfg.Series, Width: cfg.Width, Height: cfg.Height}
		sp := suspect{spec: s}
		if d%2 == 1 {
			sp.family = pirated[rng.IntN(len(pirated))]
		}
		plan = append(plan, sp)
	}
	for i := range plan {
		kind := "copy"
		if plan[i].expect == "" {
			kind = "other"
		}
		plan[i].file = fmt.Sprintf("%03d-%s-%s", i, kind, cmpOr(plan[i].family, "clean"))
	}
	return plan
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// makeSuspect renders the suspect's page, applies its pirate transform and
// writes the file (a .webp for the WebP family, else a .jpg), filling in
// the transform's name and, for a spread, the other page.
func makeSuspect(sp *suspect, cfg config, dir string, rng *rand.Rand) error {
	var data []byte
	var err error
	ext := ".jpg"
	switch sp.family {
	case "":
		sp.transform = "none"
		data, err = pirate.EncodeJPEG(testpages.Page(sp.spec), 85)
	case "webp":
		// A real .webp file, so that the lookup reads WebP.
		q := 50 + rng.IntN(46)
		sp.transform, ext = fmt.Sprintf("webp-q%d", q), ".webp"
		data, err = pirate.EncodeWebP(testpages.Page(sp.spec), q, false)
	default:
		var img image.Image
		for try := 0; ; try++ {
			t := randomTransform(sp, cfg, rng)
			sp.transform = t.Name
			img, err = t.Run(sp.spec, rng)
			// A combination may draw a WebP step without cwebp: draw again.
			if !errors.Is(err, pirate.ErrUnavailable) || try == 20 {
				break
			}
		}
		if err == nil {
			data, err = pirate.EncodeJPEG(img, 92)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", sp.file, err)
	}
	sp.file += ext
	return writeFile(filepath.Join(dir, sp.file), data)
}

// randomTransform draws a transform of the suspect's family. Spreads are
// drawn here rather than by pirate.Random so that the other page of the
// spread is known: a match to it is correct too.
func randomTransform(sp *suspect, cfg config, rng *rand.Rand) pirate.Transform {
	if sp.family != "spread" {
		return pirate.Random(sp.family, rng)
	}
	onRight := rng.IntN(2) == 0
	gutter, scale := 0.02*rng.Float64(), 0.5+0.3*rng.Float64()
	other := sp.spec
	if onRight || other.Page == 0 { // the rule of pirate.SpreadPage
		other.Page++
	} else {
		other.Page--
	}
	if other.Page < cfg.Pages {
		sp.partner = pageID(other)
	}
	return pirate.SpreadPage(onRight, gutter, scale)
}

// check fingerprints one suspect file and judges the best match.
func check(ctx context.Context, ix *index.Index, dir string, sp suspect) row {
	r := row{File: sp.file, Transform: sp.transform, Expect: sp.expect}
	data, err := os.ReadFile(filepath.Join(dir, sp.file))
	var fp *fingerprint.Fingerprint
	if err == nil {
		fp, err = fingerprint.FromBytes(ctx, data, fingerprint.WithRegions(ix.Regions()))
	}
	if err != nil {
		r.Verdict, r.ID = "error", err.Error()
		return r
	}
	ms := ix.Lookup(fp, index.WithLimit(1))
	if len(ms) == 0 {
		r.Verdict, r.OK = "no match", sp.expect == ""
		return r
	}
	r.Verdict, r.ID, r.Distance = "match", ms[0].ID, ms[0].Distance
	r.OK = sp.expect != "" && (r.ID == sp.expect || r.ID == sp.partner)
	return r
}

func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tTRANSFORM\tEXPECTED\tVERDICT\tID\tDISTANCE\tRESULT")
	for _, r := range rows {
		expect, id, dist, mark := cmpOr(r.Expect, "no match"), cmpOr(r.ID, "-"), "-", "ok"
		if r.Verdict == "match" {
			dist = strconv.Itoa(r.Distance)
		}
		switch {
		case r.OK && r.Expect != "" && r.ID != r.Expect:
			mark = "ok (the other page of the spread)"
		case r.OK:
		case r.Verdict == "error":
			mark = "ERROR"
		case r.Expect == "":
			mark = "FALSE MATCH"
		case r.Verdict == "match":
			mark = "WRONG PAGE"
		default:
			mark = "MISSED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.File, shorten(r.Transform, 48), expect, r.Verdict, id, dist, mark)
	}
	_ = tw.Flush()
}

// shorten keeps long transform names (combinations) to one table cell.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// parallel runs f(0..n-1) on workers goroutines and returns the first error.
func parallel(ctx context.Context, workers, n int, f func(i int) error) error {
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				if err := f(i); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return cmpErr(first, ctx.Err())
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
