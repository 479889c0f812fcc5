package index

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/pagematch/pagematch/fingerprint"
)

// onlyReader hides Size and Seek, so Read cannot know the input size.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func encode(t testing.TB, es []Entry, opts ...BuilderOption) []byte {
	t.Helper()
	b := NewBuilder(append([]BuilderOption{WithCreated(time.Unix(1700000000, 0))}, opts...)...)
	for _, e := range es {
		if err := b.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	n, err := b.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d", n, err, buf.Len())
	}
	return buf.Bytes()
}

// all returns every entry of ix, sorted by ID.
func all(ix *Index) map[string]Match {
	out := make(map[string]Match)
	for _, m := range ix.Search(fingerprint.Hash{}, 256, nil) {
		out[m.ID] = m
	}
	return out
}

func checkEntries(t *testing.T, ix *Index, es []Entry) {
	t.Helper()
	if ix.Len() != len(es) {
		t.Fatalf("Len = %d, want %d", ix.Len(), len(es))
	}
	got := all(ix)
	for _, e := range es {
		m, ok := got[e.ID]
		if !ok {
			t.Fatalf("entry %q missing", e.ID)
		}
		if m.Hash != e.Hash || m.Quality != e.Quality || len(m.Meta) != len(e.Meta) {
			t.Fatalf("entry %q = %+v, want %+v", e.ID, m, e)
		}
		for i := range e.Meta {
			if m.Meta[i] != e.Meta[i] {
				t.Fatalf("entry %q meta = %v, want %v", e.ID, m.Meta, e.Meta)
			}
		}
	}
}

func oddEntries() []Entry {
	h := fingerprint.Hash{1, 2, 3, 4}
	return []Entry{
		{ID: "plain", Hash: h, Quality: 50},
		{ID: "same/hash", Hash: h, Quality: 60}, // duplicate hash, other ID
		{ID: "dir/", Hash: fingerprint.Hash{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}, Quality: 100},
		{ID: "/leading", Hash: fingerprint.Hash{}, Quality: 0},
		{ID: "ユニコード/ページ.png", Hash: fingerprint.Hash{5}, Quality: 31,
			Meta: Meta{{"publisher", "出版社"}, {"rights", "https://example.com/r?a=1&b=2"}, {"empty", ""}}},
		{ID: "a/b/c/d.jpg", Hash: fingerprint.Hash{0, 0, 0, 1}, Quality: 99, Meta: Meta{{"k", "v"}, {"k", "w"}}},
	}
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name string
		es   []Entry
	}{
		{"empty", nil},
		{"one", oddEntries()[:1]},
		{"odd", oddEntries()},
		{"clustered", testEntries(rng, 3000, true)},
		{"random", testEntries(rng, 5000, false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := encode(t, tc.es)
			for _, r := range []io.Reader{bytes.NewReader(data), onlyReader{bytes.NewReader(data)}} {
				ix, err := Read(r)
				if err != nil {
					t.Fatal(err)
				}
				checkEntries(t, ix, tc.es)
				if !ix.Created().Equal(time.Unix(1700000000, 0)) || ix.Algorithm() != DefaultAlgorithm {
					t.Errorf("header: created %v, algorithm %q", ix.Created(), ix.Algorithm())
				}
			}
			// Builder.Index matches the file round trip.
			checkEntries(t, mustBuild(t, tc.es, nil), tc.es)
		})
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ref.pmx")
	b := NewBuilder()
	for _, e := range oddEntries() {
		if err := b.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 2; i++ { // the second save replaces the first
		if err := b.Save(path); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, ix, oddEntries())
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Errorf("directory holds %d files, want only the index", len(files))
	}
	if err := b.Save(filepath.Join(dir, "missing", "x.pmx")); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
	if _, err := Open(filepath.Join(dir, "nope.pmx")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v", err)
	}
}

func TestAddErrors(t *testing.T) {
	b := NewBuilder()
	if err := b.Add(Entry{ID: "x", Quality: 50}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		e    Entry
		want error
	}{
		{Entry{ID: "x"}, ErrDuplicateID},
		{Entry{ID: ""}, ErrInvalidEntry},
		{Entry{ID: string(make([]byte, MaxIDLen+1))}, ErrInvalidEntry},
		{Entry{ID: "\xff"}, ErrInvalidEntry},
		{Entry{ID: "q", Quality: 101}, ErrInvalidEntry},
		{Entry{ID: "m", Meta: Meta{{"k", string(make([]byte, MaxMetaLen))}}}, ErrInvalidEntry},
	} {
		if err := b.Add(tc.e); !errors.Is(err, tc.want) {
			t.Errorf("Add(%.20q) = %v, want %v", tc.e.ID, err, tc.want)
		}
	}
	if b.Len() != 1 {
		t.Errorf("Len = %d after failed adds", b.Len())
	}
}

// rehash recomputes the header checksum after a test edits the header.
func rehash(data []byte) {
	hlen := int(binary.LittleEndian.Uint32(data[len(magic)+4:]))
	end := fixedHeader + hlen
	binary.LittleEndian.PutUint64(data[end:], xxh3.Hash(data[:end]))
}

// headerWith re-encodes data's header with edit applied.
func headerWith(t *testing.T, data []byte, edit func(*header, []section)) []byte {
	t.Helper()
	hi, err := readHeader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	edit(&hi.hdr, hi.secs)
	out := appendHeader(nil, &hi.hdr, hi.secs)
	return append(out, data[hi.len:]...)
}

func TestReadRejects(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	data := encode(t, testEntries(rng, 2000, true))
	hi, err := readHeader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(data)) }
	type tcase struct {
		name    string
		data    []byte
		want    error
		unknown error // when the size is unknown, if different
	}
	cases := []tcase{
		{"empty", nil, ErrBadMagic, nil},
		{"magic", mod(func(b []byte) []byte { b[1] = 'Q'; return b }), ErrBadMagic, nil},
		{"short magic", data[:4], ErrTruncated, nil},
		{"text", []byte("hello, world, this is not an index"), ErrBadMagic, nil},
		{"version", mod(func(b []byte) []byte { b[8] = formatVersion + 1; return b }), ErrVersion, nil},
		{"version 0", mod(func(b []byte) []byte { b[8] = 0; return b }), ErrVersion, nil},
		{"header checksum", mod(func(b []byte) []byte { b[fixedHeader+2] ^= 1; return b }), ErrChecksum, nil},
		{"header length", mod(func(b []byte) []byte { b[12] = 0xff; b[13] = 0xff; b[14] = 0xff; return b }), ErrCorrupt, nil},
		{"trailing", append(bytes.Clone(data), 0), ErrCorrupt, nil},
		{"count", headerWith(t, data, func(h *header, _ []section) { h.count = 1e12 }), ErrCorrupt, nil},
		{"count+1", headerWith(t, data, func(h *header, _ []section) { h.count++ }), ErrCorrupt, nil},
		{"huge section", headerWith(t, data, func(_ *header, s []section) { s[0].stored, s[0].raw = 1<<40, 1<<40 }), ErrTruncated, ErrCorrupt},
		{"huge dict", headerWith(t, data, func(_ *header, s []section) { s[3].stored = 1 << 40 }), ErrTruncated, ErrTruncated},
		{"huge raw", headerWith(t, data, func(_ *header, s []section) { s[2].raw = 1 << 40 }), ErrCorrupt, nil},
		{"raw claim", headerWith(t, data, func(_ *header, s []section) { s[2].raw = maxRaw(secIDDirs, 2000) }), ErrCorrupt, nil},
		{"raw short", headerWith(t, data, func(_ *header, s []section) { s[2].raw-- }), ErrCorrupt, nil},
		{"hash bits", headerWith(t, data, func(h *header, _ []section) { h.hashBits = 64 }), ErrCorrupt, nil},
		{"algorithm", headerWith(t, data, func(h *header, _ []section) { h.algorithm = "pdq" }), ErrAlgorithm, nil},
	}
	// A flipped byte in each section fails its checksum.
	off := hi.len
	for _, s := range hi.secs {
		if s.stored > 0 {
			at := off + int64(s.stored)/2
			cases = append(cases, tcase{"section " + sectionNames[s.kind], mod(func(b []byte) []byte { b[at] ^= 0x10; return b }), ErrChecksum, nil})
		}
		off += int64(s.stored)
	}
	for _, tc := range cases {
		for _, known := range []bool{true, false} {
			var r io.Reader = bytes.NewReader(tc.data)
			if !known {
				r = onlyReader{r}
			}
			_, err := Read(r)
			want := tc.want
			if !known && tc.unknown != nil {
				want = tc.unknown
			}
			if !errors.Is(err, want) {
				t.Errorf("%s (size known %v): Read = %v, want %v", tc.name, known, err, want)
			}
		}
	}
	if _, err := Read(bytes.NewReader(data), WithMaxEntries(100)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("WithMaxEntries: %v", err)
	}
	if _, err := Read(bytes.NewReader(data), WithAlgorithm("")); err != nil {
		t.Errorf("WithAlgorithm(\"\"): %v", err)
	}
}

// TestReadTruncated cuts a small file at every length.
func TestReadTruncated(t *testing.T) {
	data := encode(t, oddEntries())
	for n := 0; n < len(data); n++ {
		for _, r := range []io.Reader{bytes.NewReader(data[:n]), onlyReader{bytes.NewReader(data[:n])}} {
			_, err := Read(r)
			if !errors.Is(err, ErrTruncated) && !(n < len(magic) && errors.Is(err, ErrBadMagic)) {
				t.Fatalf("cut at %d: %v", n, err)
			}
		}
	}
}

// TestReadCorruptPayload forges sections with valid checksums but bad
// contents: the reader must still reject them cleanly.
func TestReadCorruptPayload(t *testing.T) {
	data := encode(t, oddEntries())
	hi, err := readHeader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 2000; trial++ {
		b := bytes.Clone(data)
		// Flip bytes in one section, then fix its checksum.
		k := rng.IntN(len(hi.secs))
		off := hi.len
		for _, s := range hi.secs[:k] {
			off += int64(s.stored)
		}
		s := hi.secs[k]
		if s.stored == 0 {
			continue
		}
		for f := 0; f < 1+rng.IntN(3); f++ {
			b[off+rng.Int64N(int64(s.stored))] ^= byte(1 + rng.IntN(255))
		}
		secs := append([]section(nil), hi.secs...)
		secs[k].sum = xxh3.Hash(b[off : off+int64(s.stored)])
		out := append(appendHeader(nil, &hi.hdr, secs), b[hi.len:]...)
		ix, err := Read(bytes.NewReader(out))
		if err == nil {
			// Some edits are harmless (a hash bit); the index must work.
			ix.Search(fingerprint.Hash{}, 256, nil)
			ix.Nearest(fingerprint.Hash{})
		} else if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("trial %d, section %s: %v", trial, sectionNames[s.kind], err)
		}
	}
}

func TestChooseHighBits(t *testing.T) {
	for _, n := range []uint64{0, 1, 2, 1000, 1 << 20, 10_000_000, MaxEntries} {
		u := chooseHighBits(n)
		if n > 1 && (1<<u > 4*n || 4<<u < n) {
			t.Errorf("chooseHighBits(%d) = %d", n, u)
		}
	}
}

// TestDecodeUnsorted plants an inversion inside a decode chunk and at the
// boundary between the parallel chunks.
func TestDecodeUnsorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	n := 1 << 17
	hs := make([]fingerprint.Hash, n)
	for i := range hs {
		hs[i] = fingerprint.Hash{0, rng.Uint64(), rng.Uint64(), rng.Uint64()} // one high bucket
	}
	slices.SortFunc(hs, func(a, b fingerprint.Hash) int { return cmpHash(&a, &b) })
	if _, err := decodeHashes(encodeHashes(hs), uint64(n)); err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{1, 1000, n / 2, n - 1} {
		bad := slices.Clone(hs)
		bad[at-1], bad[at] = bad[at], bad[at-1]
		if _, err := decodeHashes(encodeHashes(bad), uint64(n)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("inversion at %d: %v", at, err)
		}
	}
}

// TestCompressibleDictionary round-trips a dictionary that zstd shrinks
// more than 256 times (a reader once rejected such files).
func TestCompressibleDictionary(t *testing.T) {
	var es []Entry
	for i := 0; i < 150000; i++ {
		es = append(es, Entry{ID: fmt.Sprintf("publisher-%02d/series-%04d/vol-%02d/p.jpg", i%20, i/20%7500, i/150000), Hash: fingerprint.Hash{uint64(i)}, Quality: 50})
	}
	data := encode(t, es)
	hi, err := readHeader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if d := hi.secs[secIDDirs-1]; d.raw < 1<<20 || d.raw < 256*d.stored {
		t.Errorf("dirs: %d bytes stored for %d raw; the test wants over 1 MiB and a ratio above 256", d.stored, d.raw)
	}
	for _, r := range []io.Reader{bytes.NewReader(data), onlyReader{bytes.NewReader(data)}} {
		ix, err := Read(r)
		if err != nil {
			t.Fatal(err)
		}
		if ix.Len() != len(es) {
			t.Fatal(ix.Len())
		}
	}
}
