package index

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readers(bs ...[]byte) []io.Reader {
	rs := make([]io.Reader, len(bs))
	for i, b := range bs {
		rs[i] = bytes.NewReader(b)
	}
	return rs
}

func TestMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	es := testEntries(rng, 3000, true)
	a, b := encode(t, es[:2000]), encode(t, es[2000:])
	var out bytes.Buffer
	st, err := Merge(context.Background(), &out, readers(a, b))
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != 3000 || st.Inputs != 2 || st.Collisions != 0 {
		t.Errorf("stats %+v", st)
	}
	ix, err := Read(&out)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, ix, es)

	// Overlapping inputs: the default fails and lists the IDs.
	c := encode(t, es[1990:2010])
	_, err = Merge(context.Background(), io.Discard, readers(a, b, c))
	var ce *CollisionError
	if !errors.As(err, &ce) || ce.Total != 20 || len(ce.Collisions) != 20 ||
		ce.Collisions[0].Second != 2 || !strings.Contains(err.Error(), "ID collisions (20)") {
		t.Fatalf("collisions: %v", err)
	}
	for _, col := range ce.Collisions {
		if col.First > 1 || col.Second != 2 {
			t.Errorf("collision %+v", col)
		}
	}

	// Skip keeps the first; rename keeps both.
	out.Reset()
	st, err = Merge(context.Background(), &out, readers(a, b, c), OnCollision(CollisionSkip))
	if err != nil || st.Entries != 3000 || st.Skipped != 20 {
		t.Fatalf("skip: %+v, %v", st, err)
	}
	out.Reset()
	st, err = Merge(context.Background(), &out, readers(a, c, c), OnCollision(CollisionRename))
	if err != nil || st.Entries != 2040 || st.Renamed != 30 {
		t.Fatalf("rename: %+v, %v", st, err)
	}
	ix, err = Read(&out)
	if err != nil {
		t.Fatal(err)
	}
	ids := all(ix)
	id := es[1995].ID
	for _, want := range []string{id, id + "~2", id + "~3"} {
		if _, ok := ids[want]; !ok {
			t.Errorf("renamed index lacks %q", want)
		}
	}
	if ids[id+"~3"].Hash != es[1995].Hash {
		t.Error("renamed entry lost its hash")
	}

	// Different algorithms do not mix.
	d := encode(t, es[:1], WithAlgorithm("pdq"))
	if _, err := Merge(context.Background(), io.Discard, readers(a, d)); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("algorithm mismatch: %v", err)
	}
	// Bad input and cancellation are errors.
	if _, err := Merge(context.Background(), io.Discard, readers(a, a[:100])); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated input: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Merge(ctx, io.Discard, readers(a, b)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestMergeFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	es := testEntries(rng, 1000, false)
	dir := t.TempDir()
	var paths []string
	for i, part := range [][]Entry{es[:300], es[300:], nil} {
		p := filepath.Join(dir, string(rune('a'+i))+".pmx")
		if err := os.WriteFile(p, encode(t, part), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out := filepath.Join(dir, "merged.pmx")
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, err := MergeFiles(context.Background(), out, paths, WithOutputOptions(WithCreated(created))); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, ix, es)
	if !ix.Created().Equal(created) {
		t.Errorf("created %v", ix.Created())
	}
	if _, err := MergeFiles(context.Background(), out, append(paths, paths[0])); err == nil {
		t.Error("merging an input twice succeeded")
	}
	if _, err := MergeFiles(context.Background(), out, []string{filepath.Join(dir, "nope")}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing input: %v", err)
	}
}

func TestInfo(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	data := encode(t, testEntries(rng, 5000, true))
	fi, err := ReadInfo(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Count != 5000 || !fi.ChecksumsOK || fi.Bytes != int64(len(data)) || fi.Version != 1 || fi.HashBits != 256 {
		t.Fatalf("Info = %+v", fi)
	}
	var stored int64
	for _, s := range fi.Sections {
		stored += s.StoredBytes
		if s.Name == "hashes" && s.Codec != "raw" || s.Name == "id-codes" && s.RawBytes == 0 {
			t.Errorf("section %+v", s)
		}
	}
	if stored >= int64(len(data)) || stored < int64(len(data))-300 {
		t.Errorf("sections hold %d of %d bytes", stored, len(data))
	}
	// A damaged section is reported, not an error.
	bad := bytes.Clone(data)
	bad[len(bad)-1] ^= 1
	fi, err = ReadInfo(bytes.NewReader(bad))
	if err != nil || fi.ChecksumsOK || fi.Sections[len(fi.Sections)-1].ChecksumOK {
		t.Errorf("damaged: %+v, %v", fi, err)
	}
	if _, err := ReadInfo(bytes.NewReader(data[:len(data)-1])); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v", err)
	}
	if _, err := ReadInfo(bytes.NewReader(append(bytes.Clone(data), 0))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("trailing: %v", err)
	}
	if _, err := Info(filepath.Join(t.TempDir(), "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}
