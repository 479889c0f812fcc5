package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
)

// metaFlag collects repeated --meta key=value flags.
type metaFlag index.Meta

func (m *metaFlag) String() string {
	parts := make([]string, len(*m))
	for i, kv := range *m {
		parts[i] = kv.Key + "=" + kv.Value
	}
	return strings.Join(parts, ",")
}

func (m *metaFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	*m = append(*m, index.KV{Key: k, Value: v})
	return nil
}

const buildHelp = `
Fingerprints the images under each PATH (an image file or a folder, walked
recursively) and writes an index to FILE, atomically.

An entry's ID is the file's path relative to the PATH argument it came from,
with '/' separators; for a file argument it is the base name. Files in a
folder that are not images are skipped with a line on stderr. Pages of low
quality (blank, nearly empty) are indexed but reported: the index never
matches them. Images that fail to decode and duplicate IDs are reported and
left out; the index is still written and the exit status is 1.`

func (a *app) indexBuild(ctx context.Context, args []string) int {
	c := a.command("index build", "-o FILE [flags] PATH...", buildHelp)
	out := c.requiredString("o", "write the index to `FILE`")
	var meta metaFlag
	c.Var(&meta, "meta", "add `key=value` metadata to every entry (repeatable)")
	fpf := c.fingerprintFlags()
	c.BoolVar(&fpf.regions, "regions", true, "also index the top and bottom halves of each page (a logo over one half\nleaves the other matchable); --regions=false writes a smaller index of\npages only")
	paths, code, ok := c.parse(args, 1)
	if !ok {
		return code
	}
	if slices.Contains(paths, stdinPath) {
		return c.usageErr("cannot index standard input: an entry needs a file name for its ID")
	}

	b := index.NewBuilder()
	var added, low, skipped, failed int
	err := process(ctx, fpf.workers, inputs(paths), fingerprinter(a.stdin, fpf.options()), func(in input, o outcome) {
		switch {
		case o.skip != "":
			a.errorf("skipped %s: %s", in.path, o.skip)
			skipped++
			return
		case o.err != nil:
			a.errorf("%s: %v", in.path, o.err)
			failed++
			return
		}
		e := index.NewEntry(in.id, o.fp, index.Meta(meta))
		if err := b.Add(e); err != nil {
			a.errorf("%s: %v", in.path, err)
			failed++
			return
		}
		added++
		if !o.fp.Matchable() {
			low++
			a.errorf("low quality %s: quality %d < %d; indexed, but it never matches", in.path, o.fp.Quality, fingerprint.MinQuality)
		}
	})
	if err != nil {
		return a.interrupted(err, "; no index written")
	}
	if added == 0 {
		a.errorf("no images indexed; %s not written", *out)
		return exitFail
	}
	if err := b.Save(*out); err != nil {
		a.errorf("%v", err)
		return exitFail
	}
	fmt.Fprintf(a.stdout, "indexed %d images into %s (%d low quality, %d skipped, %d failed)\n",
		added, *out, low, skipped, failed)
	if failed > 0 {
		return exitFail
	}
	return exitOK
}
