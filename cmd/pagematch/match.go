package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
)

const matchHelp = `
Fingerprints each image under PATH (an image file, a folder walked
recursively, or - for standard input) and looks it up in the index, with
every variant of the query (the page, its mirror, the halves of a spread).

With --json it prints one JSON object per image, in input order:
  {"path":"...","match":true,"id":"...","distance":N,"detail":D,"variant":"page","quality":Q}
  {"path":"...","match":false,"quality":Q}
  {"path":"...","error":"..."}
id and distance name the best reference and are present whenever match is
true; "detail" is the distance between the detail hashes that confirmed
the match (absent when the index stores none); "meta" holds the entry's metadata, "low_quality":true marks an image
too blank to match anything. Without --json it prints a table.

The exit status is 1 if any input failed, otherwise 0.`

// matchRecord is the JSON line of one looked-up image.
type matchRecord struct {
	Path  string `json:"path"`
	Match bool   `json:"match"`
	*matchHit
	Quality    int  `json:"quality"`
	LowQuality bool `json:"low_quality,omitempty"`
}

// matchHit is present only when the image matched; encoding/json omits
// the fields of a nil embedded pointer, so distance 0 is never dropped.
type matchHit struct {
	ID       string            `json:"id"`
	Distance int               `json:"distance"`
	Detail   *int              `json:"detail,omitempty"` // nil when not compared
	Variant  string            `json:"variant"`
	Meta     map[string]string `json:"meta,omitempty"`
}

// errorRecord is the JSON line of an input that failed.
type errorRecord struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

func (a *app) match(ctx context.Context, args []string) int {
	c := a.command("match", "--index FILE [flags] PATH...", matchHelp)
	ixPath := c.requiredString("index", "look up in the index `FILE`")
	asJSON := c.Bool("json", false, "print one JSON object per image")
	lookupOpts := []index.LookupOption{index.WithLimit(1)}
	c.Func("threshold", "match at Hamming distance ≤ `N` (default "+strconv.Itoa(fingerprint.DefaultThreshold)+", the library's)", func(s string) error {
		t, err := strconv.Atoi(s)
		if err != nil || t < 0 || t > fingerprint.HashBits {
			return fmt.Errorf("want 0 to %d", fingerprint.HashBits)
		}
		lookupOpts = append(lookupOpts, index.WithThreshold(t))
		return nil
	})
	c.Func("detail-threshold", "confirm a match only if the detail hashes are within `N` (default "+strconv.Itoa(fingerprint.DefaultDetailThreshold)+", the library's; -1: no check)", func(s string) error {
		t, err := strconv.Atoi(s)
		if err != nil || t < -1 || t > fingerprint.HashBits {
			return fmt.Errorf("want -1 to %d", fingerprint.HashBits)
		}
		lookupOpts = append(lookupOpts, index.WithDetailThreshold(t))
		return nil
	})
	fpf := c.fingerprintFlags()
	paths, code, ok := c.parse(args, 1)
	if !ok {
		return code
	}
	ix, err := index.Open(*ixPath)
	if err != nil {
		a.errorf("%v", err)
		return exitFail
	}
	fpf.regions = ix.Regions() // halves are looked up where the index has them

	out := newRecordWriter(a.stdout, *asJSON, "PATH\tVERDICT\tID\tDISTANCE\tVARIANT\tQUALITY")
	var matched, missed int
	failed, err := a.eachImage(ctx, fpf, paths, out, func(in input, fp *fingerprint.Fingerprint) {
		rec := lookup(ix, in.path, fp, lookupOpts)
		if rec.Match {
			matched++
			out.write(rec, in.path, "match", rec.ID, rec.Distance, rec.Variant, rec.Quality)
			return
		}
		missed++
		verdict := "no match"
		if rec.LowQuality {
			verdict = "low quality"
		}
		out.write(rec, in.path, verdict, "-", "-", "-", rec.Quality)
	})
	if err == nil && !*asJSON {
		fmt.Fprintf(a.stdout, "%d matched, %d not matched, %d failed\n", matched, missed, failed)
	}
	return a.status(err, failed)
}

// lookup looks fp up and describes the best match.
func lookup(ix *index.Index, path string, fp *fingerprint.Fingerprint, opts []index.LookupOption) matchRecord {
	rec := matchRecord{Path: path, Quality: fp.Quality, LowQuality: !fp.Matchable()}
	ms := ix.Lookup(fp, opts...)
	if len(ms) == 0 {
		return rec
	}
	m := ms[0]
	rec.Match = true
	rec.matchHit = &matchHit{ID: m.ID, Distance: m.Distance, Variant: m.Variant.String(), Meta: metaMap(m.Meta)}
	if m.Detail >= 0 {
		rec.Detail = &m.Detail
	}
	return rec
}

// metaMap turns metadata into a JSON object; for a repeated key the first
// value wins, as in index.Meta.Get.
func metaMap(m index.Meta) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for _, kv := range m {
		if _, ok := out[kv.Key]; !ok {
			out[kv.Key] = kv.Value
		}
	}
	return out
}

// recordWriter prints results as JSON lines or as a table.
type recordWriter struct {
	enc  *json.Encoder
	tw   *tabwriter.Writer
	rows int
}

// tableFlushRows bounds how long a table is held back to align its columns.
const tableFlushRows = 256

func newRecordWriter(w io.Writer, asJSON bool, header string) *recordWriter {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return &recordWriter{enc: enc}
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	return &recordWriter{tw: tw}
}

// write prints rec as JSON, or the cells as a table row.
func (w *recordWriter) write(rec any, cells ...any) {
	if w.enc != nil {
		_ = w.enc.Encode(rec) // a broken stdout shows in the shell, not here
		return
	}
	for i, c := range cells {
		if i > 0 {
			fmt.Fprint(w.tw, "\t")
		}
		fmt.Fprint(w.tw, c)
	}
	fmt.Fprintln(w.tw)
	if w.rows++; w.rows%tableFlushRows == 0 {
		w.flush()
	}
}

func (w *recordWriter) flush() {
	if w.tw != nil {
		_ = w.tw.Flush()
	}
}
