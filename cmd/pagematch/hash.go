package main

import (
	"context"
	"fmt"
	"image"
	"strings"

	"github.com/pagematch/pagematch/fingerprint"
)

const hashHelp = `
Prints the fingerprint of each image under PATH (an image file, a folder
walked recursively, or - for standard input): the 256-bit hash in hex, the
quality score (below the minimum the image never matches) and the
normalisation applied: the content box found, the skew undone and the
variants hashed (page, mirror, spread halves, ...).

With --json it prints one JSON object per image, in input order, or
{"path":"...","error":"..."} for an image that fails. The exit status is 1
if any input failed, otherwise 0.`

// hashRecord is the JSON line of one fingerprinted image.
type hashRecord struct {
	Path      string          `json:"path"`
	Hash      string          `json:"hash"`
	Detail    string          `json:"detail"` // the page view's detail hash
	Quality   int             `json:"quality"`
	Matchable bool            `json:"matchable"`
	Format    string          `json:"format"`
	Width     int             `json:"width"`
	Height    int             `json:"height"`
	Box       [4]int          `json:"box"` // x0, y0, x1, y1 of the content box
	Skew      float64         `json:"skew"`
	FastPath  bool            `json:"fast_path"`
	Variants  []variantRecord `json:"variants"`
	PHash     string          `json:"phash,omitempty"`
}

type variantRecord struct {
	Kind    string `json:"kind"`
	Hash    string `json:"hash"`
	Detail  string `json:"detail"`
	Quality int    `json:"quality"`
	Box     [4]int `json:"box"`
}

func box(r image.Rectangle) [4]int { return [4]int{r.Min.X, r.Min.Y, r.Max.X, r.Max.Y} }

func newHashRecord(path string, fp *fingerprint.Fingerprint, withPHash bool) hashRecord {
	rec := hashRecord{
		Path: path, Hash: fp.Hash.String(), Quality: fp.Quality, Matchable: fp.Matchable(),
		Format: fp.Format, Width: fp.Width, Height: fp.Height, Box: box(fp.Box),
		Skew: fp.Skew, FastPath: fp.FastPath, Variants: make([]variantRecord, len(fp.Variants)),
	}
	if len(fp.Variants) > 0 {
		rec.Detail = fp.Variants[0].Detail.String()
	}
	for i, v := range fp.Variants {
		rec.Variants[i] = variantRecord{Kind: v.Kind.String(), Hash: v.Hash.String(), Detail: v.Detail.String(), Quality: v.Quality, Box: box(v.Box)}
	}
	if withPHash {
		rec.PHash = fmt.Sprintf("%016x", fp.PHash)
	}
	return rec
}

func (a *app) hash(ctx context.Context, args []string) int {
	c := a.command("hash", "[flags] PATH...", hashHelp)
	asJSON := c.Bool("json", false, "print one JSON object per image")
	fpf := c.fingerprintFlags()
	c.BoolVar(&fpf.phash, "phash", false, "also compute the 64-bit pHash of goimagehash.PerceptionHash (forces a full decode)")
	c.BoolVar(&fpf.regions, "regions", false, "also hash the top and bottom halves of the content box (the variants an index built with regions is searched with)")
	paths, code, ok := c.parse(args, 1)
	if !ok {
		return code
	}
	out := newRecordWriter(a.stdout, *asJSON, "PATH\tHASH\tQUALITY\tFORMAT\tSIZE\tBOX\tSKEW\tVARIANTS")
	failed, err := a.eachImage(ctx, fpf, paths, out, func(in input, fp *fingerprint.Fingerprint) {
		rec := newHashRecord(in.path, fp, fpf.phash)
		kinds := make([]string, len(rec.Variants))
		for i, v := range rec.Variants {
			kinds[i] = v.Kind
		}
		q := fmt.Sprint(rec.Quality)
		if !rec.Matchable {
			q += " (low)"
		}
		out.write(rec, in.path, rec.Hash, q, rec.Format, fmt.Sprintf("%dx%d", rec.Width, rec.Height),
			fp.Box, fmt.Sprintf("%.2f°", rec.Skew), strings.Join(kinds, ","))
	})
	return a.status(err, failed)
}
