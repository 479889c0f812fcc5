package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
)

const infoHelp = `
Describes the index FILE: entry count, fingerprint algorithm, creation time,
file size, the memory it takes once loaded, and whether its checksums
verify. The whole file is read and checked; the exit status is 1 if it is
damaged.`

// infoRecord is the JSON form of index info.
type infoRecord struct {
	Path          string  `json:"path"`
	Entries       int     `json:"entries"`
	Algorithm     string  `json:"algorithm"`
	Created       string  `json:"created"`
	Threshold     int     `json:"threshold"`
	FileBytes     int64   `json:"file_bytes"`
	BytesPerEntry float64 `json:"file_bytes_per_entry"`
	HeapBytes     int64   `json:"heap_bytes"`
	Substrings    int     `json:"substrings"`
	ChecksumsOK   bool    `json:"checksums_ok"`
	Error         string  `json:"error,omitempty"`
}

func (a *app) indexInfo(args []string) int {
	c := a.command("index info", "[flags] FILE", infoHelp)
	asJSON := c.Bool("json", false, "print a JSON object")
	paths, code, ok := c.parse(args, 1)
	if !ok {
		return code
	}
	if len(paths) != 1 {
		return c.usageErr("want one FILE, got %d", len(paths))
	}
	rec, err := indexInfo(paths[0])
	if err != nil && !errors.Is(err, index.ErrChecksum) {
		a.errorf("%v", err)
		return exitFail
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(rec)
	} else {
		printInfo(a, rec)
	}
	if err != nil {
		a.errorf("%v", err)
		return exitFail
	}
	return exitOK
}

// indexInfo opens the index at path and describes it. A checksum mismatch
// gives a record with ChecksumsOK false and the error.
func indexInfo(path string) (infoRecord, error) {
	rec := infoRecord{Path: path}
	st, err := os.Stat(path)
	if err != nil {
		return rec, err
	}
	rec.FileBytes = st.Size()
	// Any algorithm: info describes files of other releases too.
	ix, err := index.Open(path, index.WithAlgorithm(""))
	if err != nil {
		rec.Error = err.Error()
		return rec, err
	}
	s := ix.Stats()
	rec.Entries, rec.Algorithm, rec.Threshold = ix.Len(), ix.Algorithm(), ix.Threshold()
	rec.Created = ix.Created().UTC().Format(time.RFC3339)
	rec.HeapBytes, rec.Substrings, rec.ChecksumsOK = s.Total(), s.Substrings, true
	if rec.Entries > 0 {
		rec.BytesPerEntry = float64(rec.FileBytes) / float64(rec.Entries)
	}
	return rec, nil
}

func printInfo(a *app, rec infoRecord) {
	tw := tabwriter.NewWriter(a.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "file\t%s\n", rec.Path)
	if !rec.ChecksumsOK {
		fmt.Fprintf(tw, "checksums\tMISMATCH\n")
		_ = tw.Flush()
		return
	}
	fmt.Fprintf(tw, "entries\t%d\n", rec.Entries)
	fmt.Fprintf(tw, "algorithm\t%s\n", rec.Algorithm)
	fmt.Fprintf(tw, "created\t%s\n", rec.Created)
	fmt.Fprintf(tw, "lookup threshold\t%d (library default)\n", rec.Threshold)
	fmt.Fprintf(tw, "file size\t%d bytes (%.1f per entry)\n", rec.FileBytes, rec.BytesPerEntry)
	fmt.Fprintf(tw, "memory when loaded\t%d bytes (%d search tables)\n", rec.HeapBytes, rec.Substrings)
	fmt.Fprintf(tw, "checksums\tok\n")
	_ = tw.Flush()
}

const mergeHelp = `
Merges the indexes A B... into OUT, atomically. All inputs must use the same
fingerprint algorithm.

IDs must be unique across the inputs. A colliding ID is reported on stderr;
by default the merge then fails and writes nothing. With --keep-first, the
entry of the first input that has the ID is kept, the others are left out
(and still reported), and OUT is written.`

// maxCollisionLines bounds the collision report; the rest is counted.
const maxCollisionLines = 20

func (a *app) indexMerge(ctx context.Context, args []string) int {
	c := a.command("index merge", "-o OUT [flags] A B...", mergeHelp)
	out := c.requiredString("o", "write the merged index to `OUT`")
	keepFirst := c.Bool("keep-first", false, "on an ID collision keep the first input's entry and write OUT anyway")
	paths, code, ok := c.parse(args, 1)
	if !ok {
		return code
	}
	res, err := mergeIndexes(ctx, paths)
	if err != nil {
		a.errorf("%v", err)
		if ctx.Err() != nil {
			return exitInterrupted
		}
		return exitFail
	}
	for i, col := range res.collisions {
		if i == maxCollisionLines {
			a.errorf("... and %d more ID collisions", len(res.collisions)-i)
			break
		}
		a.errorf("ID collision: %q in %s is already in an earlier input", col.id, col.path)
	}
	if len(res.collisions) > 0 && !*keepFirst {
		a.errorf("%d ID collisions; %s not written (--keep-first keeps the first entry of each ID)", len(res.collisions), *out)
		return exitFail
	}
	if err := res.b.Save(*out); err != nil {
		a.errorf("%v", err)
		return exitFail
	}
	fmt.Fprintf(a.stdout, "merged %d entries from %d indexes into %s (%d ID collisions left out)\n",
		res.b.Len(), len(paths), *out, len(res.collisions))
	return exitOK
}

type collision struct{ id, path string }

type mergeResult struct {
	b          *index.Builder
	collisions []collision
}

// mergeIndexes reads the indexes in order into one Builder. Every entry is
// copied with its hash, quality and metadata; later duplicates of an ID are
// collected as collisions.
func mergeIndexes(ctx context.Context, paths []string) (mergeResult, error) {
	var res mergeResult
	algorithm := ""
	for _, p := range paths {
		ix, err := index.Open(p, index.WithAlgorithm(algorithm))
		if err != nil {
			return res, err
		}
		if res.b == nil {
			algorithm = ix.Algorithm()
			res.b = index.NewBuilder(index.WithAlgorithm(algorithm))
		}
		// A search at the full radius lists every entry, low quality ones too.
		for _, m := range ix.Search(fingerprint.Hash{}, fingerprint.HashBits, nil) {
			err := res.b.Add(index.Entry{ID: m.ID, Hash: m.Hash, Quality: m.Quality, Meta: m.Meta})
			switch {
			case errors.Is(err, index.ErrDuplicateID):
				res.collisions = append(res.collisions, collision{id: m.ID, path: p})
			case err != nil:
				return res, fmt.Errorf("%s: %w", p, err)
			}
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
	return res, nil
}
