// Command quickstart shows pagematch end to end in well under a minute:
//
//	go run ./examples/quickstart [-keep] [-series N] [-pages N] [-copies N] [-distractors N]
//
// It renders a small synthetic manga volume (internal/testpages), builds a
// reference index of it with the fingerprint and index packages, makes pirate
// copies of random pages with every transform family of internal/pirate
// (re-encoding, scaling, crops, pads, watermarks, tone changes, rescans,
// mirrors, rotations, scanlation, two-page spreads and combinations), adds
// distractors (pages of the same series that were never indexed, some of them
// pirated too), looks every file up and prints one verdict per file and a
// summary such as "recall 52/52, false matches 0/20".
//
// The files go to a temporary folder, removed at the end unless -keep is
// given; with -keep the program prints pagematch commands to try on them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
)

func main() {
	cfg := defaultConfig()
	keep := flag.Bool("keep", false, "keep the generated files and print commands to try on them")
	flag.IntVar(&cfg.Series, "series", cfg.Series, "number of series")
	flag.IntVar(&cfg.Pages, "pages", cfg.Pages, "indexed pages per series")
	flag.IntVar(&cfg.Distractors, "distractors", cfg.Distractors, "never-indexed pages per series")
	flag.IntVar(&cfg.PerFamily, "copies", cfg.PerFamily, "pirate copies per transform family")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed of the copies")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := mainErr(ctx, cfg, *keep, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		stop()
		os.Exit(1)
	}
}

func mainErr(ctx context.Context, cfg config, keep bool, w io.Writer) (err error) {
	dir, err := os.MkdirTemp("", "pagematch-quickstart-")
	if err != nil {
		return err
	}
	if !keep {
		defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	}
	sum, err := run(ctx, cfg, dir, w)
	if err != nil {
		return err
	}
	if keep {
		fmt.Fprintf(w, "\nThe files are kept in %s. Try the command-line tool on them:\n", dir)
		fmt.Fprintf(w, "  go run ./cmd/pagematch match --index %s %s\n", sum.IndexPath, sum.SuspectDir)
		fmt.Fprintf(w, "  go run ./cmd/pagematch match --index %s --json %s\n", sum.IndexPath, sum.SuspectDir)
		fmt.Fprintf(w, "  go run ./cmd/pagematch index info %s\n", sum.IndexPath)
	}
	return nil
}

// config sizes the demonstration.
type config struct {
	Series      int // series 0..Series-1
	Pages       int // indexed pages per series: 0..Pages-1
	Distractors int // never-indexed pages per series: Pages..Pages+Distractors-1
	PerFamily   int // pirate copies per transform family
	Width       int // page size in pixels
	Height      int
	Seed        uint64
	Workers     int // 0: GOMAXPROCS
}

func defaultConfig() config {
	return config{Series: 2, Pages: 12, Distractors: 10, PerFamily: 4, Width: 600, Height: 850, Seed: 1}
}

func (c config) check() error {
	if c.Series < 1 || c.Pages < 2 || c.Distractors < 0 || c.PerFamily < 0 || c.Width < 64 || c.Height < 64 {
		return fmt.Errorf("bad configuration %+v: want at least 1 series of 2 pages of 64×64 pixels", c)
	}
	return nil
}

func (c config) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return runtime.GOMAXPROCS(0)
}
