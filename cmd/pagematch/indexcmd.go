package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/pagematch/pagematch/index"
)

const infoHelp = `
Describes the index FILE: format version, fingerprint algorithm, entry
count, creation time, file size and sections, whether it stores detail
hashes (format version 3; without them a match by the hash is not
confirmed), and whether every checksum verifies. The whole file is read and checked, without building the search
tables (--memory builds them, to report the memory a loaded index takes).
The exit status is 1 if the file is damaged.`

// infoRecord is the JSON form of index info.
type infoRecord struct {
	Path          string          `json:"path"`
	Version       int             `json:"version"`
	Algorithm     string          `json:"algorithm"`
	HashBits      int             `json:"hash_bits"`
	Threshold     int             `json:"threshold"` // the radius it was built for
	MinQuality    int             `json:"min_quality"`
	Entries       int             `json:"entries"`
	Created       string          `json:"created"`
	FileBytes     int64           `json:"file_bytes"`
	BytesPerEntry float64         `json:"file_bytes_per_entry"`
	Sections      []sectionRecord `json:"sections"`
	ChecksumsOK   bool            `json:"checksums_ok"`
	Details       bool            `json:"details"`              // detail hashes stored
	HeapBytes     int64           `json:"heap_bytes,omitempty"` // with --memory
}

type sectionRecord struct {
	Name        string `json:"name"`
	Codec       string `json:"codec"`
	StoredBytes int64  `json:"stored_bytes"`
	RawBytes    int64  `json:"raw_bytes"`
	ChecksumOK  bool   `json:"checksum_ok"`
}

func newInfoRecord(path string, fi *index.FileInfo) infoRecord {
	rec := infoRecord{
		Path: path, Version: fi.Version, Algorithm: fi.Algorithm, HashBits: fi.HashBits,
		Threshold: fi.Threshold, MinQuality: fi.MinQuality, Entries: fi.Count,
		Created: fi.Created.UTC().Format(time.RFC3339), FileBytes: fi.Bytes, ChecksumsOK: fi.ChecksumsOK,
		Details:  fi.Details,
		Sections: make([]sectionRecord, len(fi.Sections)),
	}
	if fi.Count > 0 {
		rec.BytesPerEntry = float64(fi.Bytes) / float64(fi.Count)
	}
	for i, s := range fi.Sections {
		rec.Sections[i] = sectionRecord{Name: s.Name, Codec: s.Codec, StoredBytes: s.StoredBytes, RawBytes: s.RawBytes, ChecksumOK: s.ChecksumOK}
	}
	return rec
}

func (a *app) indexInfo(args []string) int {
	c := a.command("index info", "[flags] FILE", infoHelp)
	asJSON := c.Bool("json", false, "print a JSON object")
	memory := c.Bool("memory", false, "also load the index and report the memory it takes")
	paths, code, ok := c.parse(args, 1)
	if !ok {
		return code
	}
	if len(paths) != 1 {
		return c.usageErr("want one FILE, got %d", len(paths))
	}
	fi, err := index.Info(paths[0])
	if err != nil {
		a.errorf("%v", err)
		return exitFail
	}
	rec := newInfoRecord(paths[0], fi)
	if *memory && rec.ChecksumsOK {
		// Any algorithm: info describes files of other releases too.
		ix, err := index.Open(paths[0], index.WithAlgorithm(""))
		if err != nil {
			a.errorf("%v", err)
			return exitFail
		}
		rec.HeapBytes = ix.Stats().Total()
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(rec)
	} else {
		a.printInfo(rec)
	}
	if !rec.ChecksumsOK {
		a.errorf("%s: %v", rec.Path, index.ErrChecksum)
		return exitFail
	}
	return exitOK
}

func (a *app) printInfo(rec infoRecord) {
	tw := tabwriter.NewWriter(a.stdout, 0, 8, 2, ' ', 0)
	ok := func(b bool) string {
		if b {
			return "ok"
		}
		return "MISMATCH"
	}
	fmt.Fprintf(tw, "file\t%s\n", rec.Path)
	fmt.Fprintf(tw, "format version\t%d\n", rec.Version)
	fmt.Fprintf(tw, "algorithm\t%s (%d bits)\n", rec.Algorithm, rec.HashBits)
	fmt.Fprintf(tw, "built for\tthreshold %d, min quality %d\n", rec.Threshold, rec.MinQuality)
	fmt.Fprintf(tw, "entries\t%d\n", rec.Entries)
	fmt.Fprintf(tw, "created\t%s\n", rec.Created)
	fmt.Fprintf(tw, "file size\t%d bytes (%.1f per entry)\n", rec.FileBytes, rec.BytesPerEntry)
	details := "stored"
	if !rec.Details {
		details = "none (matches by the hash are not confirmed; rebuild to add them)"
	}
	fmt.Fprintf(tw, "detail hashes\t%s\n", details)
	if rec.HeapBytes > 0 {
		fmt.Fprintf(tw, "memory when loaded\t%d bytes\n", rec.HeapBytes)
	}
	fmt.Fprintf(tw, "checksums\t%s\n", ok(rec.ChecksumsOK))
	fmt.Fprintf(tw, "\nSECTION\tCODEC\tSTORED\tRAW\tCHECKSUM\n")
	for _, s := range rec.Sections {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", s.Name, s.Codec, s.StoredBytes, s.RawBytes, ok(s.ChecksumOK))
	}
	_ = tw.Flush()
}

const mergeHelp = `
Merges the indexes A B... into OUT, atomically. All inputs must use the same
fingerprint algorithm.

IDs must be unique across the inputs. What happens to an ID found in more
than one input is set by --on-collision:
  fail    (default) list the collisions on stderr and write nothing
  skip    keep the entry of the first input that has the ID
  rename  keep every entry, renaming a later one to ID~k (k: its input's
          position, from 1)
Collisions are always reported on stderr.`

// maxCollisionLines bounds the collision report; the rest is counted.
const maxCollisionLines = 20

var collisionPolicies = map[string]index.CollisionPolicy{
	"fail": index.CollisionFail, "skip": index.CollisionSkip, "rename": index.CollisionRename,
}

func (a *app) indexMerge(ctx context.Context, args []string) int {
	c := a.command("index merge", "-o OUT [flags] A B...", mergeHelp)
	out := c.requiredString("o", "write the merged index to `OUT`")
	policyName := c.String("on-collision", "fail", "what to do with an ID found in several inputs: `fail`, skip or rename")
	paths, code, ok := c.parse(args, 1)
	if !ok {
		return code
	}
	policy, ok := collisionPolicies[*policyName]
	if !ok {
		return c.usageErr("--on-collision must be fail, skip or rename, got %q", *policyName)
	}
	st, err := index.MergeFiles(ctx, *out, paths, index.OnCollision(policy))
	if cerr := (*index.CollisionError)(nil); errors.As(err, &cerr) {
		for i, col := range cerr.Collisions {
			if i == maxCollisionLines {
				break
			}
			a.errorf("ID collision: %q is in %s and %s", col.ID, paths[col.First], paths[col.Second])
		}
		if more := cerr.Total - min(len(cerr.Collisions), maxCollisionLines); more > 0 {
			a.errorf("... and %d more ID collisions", more)
		}
		a.errorf("%d ID collisions; %s not written (--on-collision skip or rename merges anyway)", cerr.Total, *out)
		return exitFail
	}
	if err != nil {
		a.errorf("%v", err)
		if ctx.Err() != nil {
			return exitInterrupted
		}
		return exitFail
	}
	if st.Collisions > 0 {
		a.errorf("%d ID collisions: %d later entries left out, %d renamed (merge with --on-collision fail to list them)",
			st.Collisions, st.Skipped, st.Renamed)
	}
	fmt.Fprintf(a.stdout, "merged %d entries from %d indexes into %s (%d ID collisions)\n",
		st.Entries, st.Inputs, *out, st.Collisions)
	return exitOK
}
