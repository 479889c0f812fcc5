package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pagematch/pagematch/index"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// fixture is a temp dir of synthetic pages, built once for all tests:
//
//	refs/a/p000.jpg refs/a/p001.jpg refs/b/c/p002.png refs/b/p003.jpg refs/notes.txt
//	suspect/1-jpeg.jpg      p000 re-encoded at q50
//	suspect/2-mirror.png    p001 mirrored
//	suspect/3-other.jpg     a page of the same series, never indexed
//	suspect/4-corrupt.jpg   a JPEG cut after its header
//	suspect/5-blank.png     a blank page
//	suspect/readme.md       not an image
//	extra/crop.jpg          p003 cropped and re-encoded
type fixture struct {
	dir, refs, suspect string
	ref                string // index built from refs
}

var (
	fixOnce sync.Once
	fix     fixture
	fixErr  error
)

func spec(page int) testpages.Spec {
	return testpages.Spec{Series: 3, Page: page, Width: 600, Height: 850}
}

func getFixture(t testing.TB) fixture {
	t.Helper()
	fixOnce.Do(func() { fix, fixErr = makeFixture() })
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

func makeFixture() (fixture, error) {
	dir, err := os.MkdirTemp("", "pagematch-cli-test")
	if err != nil {
		return fixture{}, err
	}
	f := fixture{dir: dir, refs: filepath.Join(dir, "refs"), suspect: filepath.Join(dir, "suspect")}
	jpg := func(img image.Image, q int) []byte {
		b, err := pirate.EncodeJPEG(img, q)
		if err != nil {
			panic(err)
		}
		return b
	}
	pngBytes := func(img image.Image) []byte {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			panic(err)
		}
		return buf.Bytes()
	}
	mirrored, err := pirate.Mirror().Run(spec(1), nil)
	if err != nil {
		return f, err
	}
	cropped, err := pirate.Crop(0.05, 0, 0.03, 0.02).Run(spec(3), nil)
	if err != nil {
		return f, err
	}
	good := jpg(testpages.Page(spec(0)), 90)
	files := map[string][]byte{
		"refs/a/p000.jpg":       good,
		"refs/a/p001.jpg":       jpg(testpages.Page(spec(1)), 90),
		"refs/b/c/p002.png":     pngBytes(testpages.Page(spec(2))),
		"refs/b/p003.jpg":       jpg(testpages.Page(spec(3)), 90),
		"refs/notes.txt":        []byte("not a page\n"),
		"suspect/1-jpeg.jpg":    jpg(testpages.Page(spec(0)), 50),
		"suspect/2-mirror.png":  pngBytes(mirrored),
		"suspect/3-other.jpg":   jpg(testpages.Page(spec(9)), 90),
		"suspect/4-corrupt.jpg": good[:300],
		"suspect/5-blank.png":   pngBytes(testpages.Blank(testpages.BlankWhite, 600, 850)),
		"suspect/readme.md":     []byte("# suspects\n"),
		"extra/crop.jpg":        jpg(cropped, 60),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return f, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return f, err
		}
	}
	f.ref = filepath.Join(dir, "ref.pmx")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"index", "build", "-o", f.ref, f.refs}, nil, &out, &errb); code != 0 {
		return f, &runError{code, out.String(), errb.String()}
	}
	return f, nil
}

type runError struct {
	code        int
	out, stderr string
}

func (e *runError) Error() string { return "build failed: " + e.stderr }

func TestMain(m *testing.M) {
	code := m.Run()
	if fix.dir != "" {
		os.RemoveAll(fix.dir)
	}
	os.Exit(code)
}

// pm runs the command line in-process.
func pm(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// pmOK runs the command line and fails the test unless it exits 0.
func pmOK(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	code, stdout, stderr := pm(t, "", args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	return stdout, stderr
}

// jsonLines decodes one JSON object per line into maps, so that the tests
// see exactly which fields are present.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for line := range strings.Lines(s) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		recs = append(recs, m)
	}
	return recs
}

func TestBuild(t *testing.T) {
	f := getFixture(t)
	out := filepath.Join(t.TempDir(), "x.pmx")
	stdout, stderr := pmOK(t, "index", "build", "--workers", "3", "--meta", "publisher=Acme", "-o", out, f.refs)
	if !strings.Contains(stdout, "indexed 4 images") {
		t.Errorf("stdout: %q", stdout)
	}
	if !strings.Contains(stderr, "pagematch: skipped "+filepath.Join(f.refs, "notes.txt")+": not an image") {
		t.Errorf("stderr does not report the skipped file: %q", stderr)
	}
	// Metadata comes back with a match.
	code, stdout, _ := pm(t, "", "match", "--json", "--index", out, filepath.Join(f.suspect, "1-jpeg.jpg"))
	recs := jsonLines(t, stdout)
	if code != 0 || len(recs) != 1 || recs[0]["meta"].(map[string]any)["publisher"] != "Acme" {
		t.Errorf("exit %d, %v", code, recs)
	}
}

func TestBuildDuplicateID(t *testing.T) {
	f := getFixture(t)
	out := filepath.Join(t.TempDir(), "dup.pmx")
	a := filepath.Join(f.refs, "a")
	code, stdout, stderr := pm(t, "", "index", "build", "-o", out, a, a)
	if code != 1 || !strings.Contains(stderr, "duplicate ID") || !strings.Contains(stdout, "indexed 2 images") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("index not written: %v", err)
	}
}

func TestBuildNothing(t *testing.T) {
	empty := t.TempDir()
	out := filepath.Join(t.TempDir(), "none.pmx")
	code, _, stderr := pm(t, "", "index", "build", "-o", out, empty)
	if code != 1 || !strings.Contains(stderr, "no images") {
		t.Errorf("exit %d: %q", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an empty index was written")
	}
}

func TestMatchJSON(t *testing.T) {
	f := getFixture(t)
	code, stdout, stderr := pm(t, "", "match", "--index", f.ref, "--json", f.suspect)
	if code != 1 {
		t.Errorf("exit %d with a corrupt input, want 1", code)
	}
	if !strings.Contains(stderr, "readme.md: not an image") {
		t.Errorf("stderr: %q", stderr)
	}
	recs := jsonLines(t, stdout)
	want := []struct {
		file  string
		match any // true, false, or nil for an error
		id    string
	}{
		{"1-jpeg.jpg", true, "a/p000.jpg"},
		{"2-mirror.png", true, "a/p001.jpg"},
		{"3-other.jpg", false, ""},
		{"4-corrupt.jpg", nil, ""},
		{"5-blank.png", false, ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d:\n%s", len(recs), len(want), stdout)
	}
	for i, w := range want {
		r := recs[i]
		if r["path"] != filepath.Join(f.suspect, w.file) {
			t.Errorf("record %d: path %v, want %s", i, r["path"], w.file)
		}
		_, hasErr := r["error"]
		_, hasID := r["id"]
		_, hasDist := r["distance"]
		switch {
		case w.match == nil:
			if !hasErr || r["match"] != nil || hasID {
				t.Errorf("%s: want only path and error: %v", w.file, r)
			}
		case w.match == true:
			if r["match"] != true || r["id"] != w.id || !hasDist {
				t.Errorf("%s: want match of %s with a distance: %v", w.file, w.id, r)
			}
		default:
			if r["match"] != false || hasID || hasDist || hasErr {
				t.Errorf("%s: want a plain miss: %v", w.file, r)
			}
		}
	}
	if v, _ := recs[1]["variant"].(string); !strings.HasSuffix(v, "mirror") {
		t.Errorf("mirror copy matched through variant %v", recs[1]["variant"])
	}
	if recs[4]["low_quality"] != true {
		t.Errorf("blank page not flagged low quality: %v", recs[4])
	}

	// Without the corrupt file the run succeeds, and the order is the input order.
	code, stdout, _ = pm(t, "", "match", "--index", f.ref, "--json", "--workers", "1",
		filepath.Join(f.suspect, "3-other.jpg"), filepath.Join(f.suspect, "1-jpeg.jpg"))
	recs = jsonLines(t, stdout)
	if code != 0 || len(recs) != 2 || recs[0]["match"] != false || recs[1]["id"] != "a/p000.jpg" {
		t.Errorf("exit %d: %v", code, recs)
	}
}

func TestMatchDeterministic(t *testing.T) {
	f := getFixture(t)
	_, one, _ := pm(t, "", "match", "--index", f.ref, "--json", "--workers", "1", f.suspect, f.refs)
	_, many, _ := pm(t, "", "match", "--index", f.ref, "--json", "--workers", "4", f.suspect, f.refs)
	if one != many {
		t.Errorf("output depends on --workers:\n%s\n%s", one, many)
	}
	// Every reference matches itself at distance 0, confirmed by its
	// own detail hash.
	for _, r := range jsonLines(t, one)[5:] {
		if r["match"] != true || r["distance"] != 0.0 || r["detail"] != 0.0 {
			t.Errorf("reference does not match itself: %v", r)
		}
	}
}

func TestMatchTable(t *testing.T) {
	f := getFixture(t)
	code, stdout, _ := pm(t, "", "match", f.suspect, "--index", f.ref) // flags after paths
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	for _, s := range []string{"PATH", "VERDICT", "a/p000.jpg", "no match", "low quality", "error:", "2 matched, 2 not matched, 1 failed"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("table lacks %q:\n%s", s, stdout)
		}
	}
}

func TestMatchThreshold(t *testing.T) {
	f := getFixture(t)
	p := filepath.Join(f.dir, "extra", "crop.jpg")
	_, stdout, _ := pm(t, "", "match", "--json", "--index", f.ref, p)
	r := jsonLines(t, stdout)
	d, _ := r[0]["distance"].(float64)
	if r[0]["id"] != "b/p003.jpg" || d == 0 {
		t.Fatalf("cropped copy: want a match at a non-zero distance: %v", r)
	}
	// Just below the distance, the copy is no longer a match.
	_, stdout, _ = pm(t, "", "match", "--json", "--threshold", fmt.Sprint(d-1), "--index", f.ref, p)
	if r := jsonLines(t, stdout); len(r) != 1 || r[0]["match"] != false {
		t.Errorf("--threshold %v: %v", d-1, r)
	}
	if code, _, stderr := pm(t, "", "match", "--threshold", "300", "--index", f.ref, p); code != 2 || !strings.HasPrefix(stderr, "pagematch: ") {
		t.Errorf("exit %d: %q", code, stderr)
	}
	// Likewise the detail threshold: below the detail distance of the
	// best confirmed hit, another variant may confirm the match at a
	// smaller detail distance; lowering it step by step ends in no match,
	// and -1 (no check) brings the first answer back.
	dd, ok := r[0]["detail"].(float64)
	if !ok || dd == 0 {
		t.Fatalf("cropped copy: want a non-zero detail distance: %v", r)
	}
	missed := false
	for thr := dd - 1; thr >= 0 && !missed; {
		_, stdout, _ = pm(t, "", "match", "--json", "--detail-threshold", fmt.Sprint(thr), "--index", f.ref, p)
		r := jsonLines(t, stdout)
		if len(r) != 1 {
			t.Fatalf("--detail-threshold %v: %v", thr, r)
		}
		got, _ := r[0]["detail"].(float64)
		switch {
		case r[0]["match"] == false:
			missed = true
		case got > thr:
			t.Fatalf("--detail-threshold %v: matched at detail %v", thr, got)
		default:
			thr = got - 1
		}
	}
	if !missed {
		t.Error("the cropped copy matches at every detail threshold")
	}
	_, stdout, _ = pm(t, "", "match", "--json", "--detail-threshold", "0", "--detail-threshold", "-1", "--index", f.ref, p)
	if r2 := jsonLines(t, stdout); len(r2) != 1 || r2[0]["match"] != true || r2[0]["detail"] != r[0]["detail"] || r2[0]["distance"] != r[0]["distance"] {
		t.Errorf("--detail-threshold -1: %v, want %v", r2, r)
	}
	if code, _, _ := pm(t, "", "match", "--detail-threshold", "-2", "--index", f.ref, p); code != 2 {
		t.Errorf("--detail-threshold -2: exit %d", code)
	}
}

func TestMatchStdin(t *testing.T) {
	f := getFixture(t)
	data, err := os.ReadFile(filepath.Join(f.suspect, "1-jpeg.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := pm(t, string(data), "match", "--json", "--index", f.ref, "-")
	if r := jsonLines(t, stdout); code != 0 || len(r) != 1 || r[0]["path"] != "-" || r[0]["id"] != "a/p000.jpg" {
		t.Errorf("exit %d: %v", code, r)
	}
}

func TestMatchBadIndex(t *testing.T) {
	f := getFixture(t)
	code, _, stderr := pm(t, "", "match", "--index", filepath.Join(f.refs, "notes.txt"), f.suspect)
	if code != 1 || !strings.HasPrefix(stderr, "pagematch: index:") {
		t.Errorf("exit %d: %q", code, stderr)
	}
}

func TestHash(t *testing.T) {
	f := getFixture(t)
	stdout, _ := pmOK(t, "hash", "--json", "--phash", f.refs)
	recs := jsonLines(t, stdout)
	if len(recs) != 4 {
		t.Fatalf("%d records:\n%s", len(recs), stdout)
	}
	r := recs[0]
	if r["path"] != filepath.Join(f.refs, "a", "p000.jpg") || len(r["hash"].(string)) != 64 || len(r["phash"].(string)) != 16 {
		t.Errorf("record: %v", r)
	}
	for _, k := range []string{"quality", "matchable", "format", "width", "height", "box", "skew", "fast_path", "variants"} {
		if _, ok := r[k]; !ok {
			t.Errorf("no %q in %v", k, r)
		}
	}
	if d, _ := r["detail"].(string); len(d) != 64 || d == r["hash"] {
		t.Errorf("detail %q: want the page's detail hash, 64 hex digits", r["detail"])
	}
	if v := r["variants"].([]any)[0].(map[string]any); v["kind"] != "page" || v["hash"] != r["hash"] || v["detail"] != r["detail"] {
		t.Errorf("first variant: %v", v)
	}

	code, stdout, _ := pm(t, "", "hash", filepath.Join(f.suspect, "4-corrupt.jpg"), filepath.Join(f.suspect, "5-blank.png"))
	if code != 1 || !strings.Contains(stdout, "error: ") || !strings.Contains(stdout, "(low)") || !strings.Contains(stdout, "HASH") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

func TestInfo(t *testing.T) {
	f := getFixture(t)
	stdout, _ := pmOK(t, "index", "info", "--json", "--memory", f.ref)
	r := jsonLines(t, stdout)[0]
	if r["entries"] != 4.0 || r["algorithm"] != index.DefaultAlgorithm || r["checksums_ok"] != true ||
		r["file_bytes"].(float64) <= 0 || r["heap_bytes"].(float64) <= 0 || len(r["sections"].([]any)) == 0 ||
		r["details"] != true || r["version"] != 3.0 {
		t.Errorf("info: %v", r)
	}
	stdout, _ = pmOK(t, "index", "info", f.ref)
	for _, s := range []string{"entries", index.DefaultAlgorithm + " (256 bits)", "checksums", "SECTION", "hashes", "detail hashes", "stored"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("info lacks %q:\n%s", s, stdout)
		}
	}

	// A flipped byte near the end lands in a checksummed section.
	data, err := os.ReadFile(f.ref)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-5] ^= 0x40
	bad := filepath.Join(t.TempDir(), "bad.pmx")
	if err := os.WriteFile(bad, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := pm(t, "", "index", "info", bad)
	if code != 1 || !strings.Contains(stdout, "MISMATCH") || !strings.HasPrefix(stderr, "pagematch: ") {
		t.Errorf("damaged index: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = pm(t, "", "index", "info", filepath.Join(f.refs, "notes.txt"))
	if code != 1 || !strings.HasPrefix(stderr, "pagematch: index:") {
		t.Errorf("not an index: exit %d: %s", code, stderr)
	}
}

func TestMerge(t *testing.T) {
	f := getFixture(t)
	tmp := t.TempDir()
	onlyA := filepath.Join(tmp, "a.pmx")  // IDs p000.jpg, p001.jpg
	single := filepath.Join(tmp, "s.pmx") // ID p000.jpg: collides with onlyA
	out := func(name string) string { return filepath.Join(tmp, name+".pmx") }
	pmOK(t, "index", "build", "-o", onlyA, filepath.Join(f.refs, "a"))
	pmOK(t, "index", "build", "-o", single, filepath.Join(f.refs, "a", "p000.jpg"))

	stdout, _ := pmOK(t, "index", "merge", "-o", out("m"), f.ref, onlyA)
	if !strings.Contains(stdout, "merged 6 entries") {
		t.Errorf("merge: %s", stdout)
	}
	stdout, _ = pmOK(t, "match", "--json", "--index", out("m"), filepath.Join(f.suspect, "2-mirror.png"))
	if r := jsonLines(t, stdout); r[0]["id"] != "a/p001.jpg" && r[0]["id"] != "p001.jpg" {
		t.Errorf("merged index: %v", r)
	}

	code, _, stderr := pm(t, "", "index", "merge", "-o", out("refused"), onlyA, single)
	if code != 1 || !strings.Contains(stderr, `ID collision: "p000.jpg" is in `+onlyA+" and "+single) {
		t.Errorf("collision: exit %d: %q", code, stderr)
	}
	if _, err := os.Stat(out("refused")); err == nil {
		t.Error("merge with a collision wrote its output")
	}

	stdout, stderr = pmOK(t, "index", "merge", "--on-collision", "skip", "-o", out("skip"), onlyA, single)
	if !strings.Contains(stderr, "1 ID collisions") || !strings.Contains(stdout, "merged 2 entries") {
		t.Errorf("skip: %s%s", stdout, stderr)
	}
	stdout, stderr = pmOK(t, "index", "merge", "--on-collision", "rename", "-o", out("rename"), onlyA, single)
	if !strings.Contains(stderr, "1 renamed") || !strings.Contains(stdout, "merged 3 entries") {
		t.Errorf("rename: %s%s", stdout, stderr)
	}
	if code, _, _ := pm(t, "", "index", "merge", "--on-collision", "replace", "-o", out("x"), onlyA); code != 2 {
		t.Errorf("bad policy: exit %d", code)
	}
}

func TestUsage(t *testing.T) {
	for _, cmd := range [][]string{{"match"}, {"hash"}, {"index", "build"}, {"index", "info"}, {"index", "merge"}} {
		name := strings.Join(cmd, " ")
		code, stdout, _ := pm(t, "", append(cmd, "-h")...)
		if code != 0 || !strings.HasPrefix(stdout, "usage: pagematch "+name) || !strings.Contains(stdout, "flags:") {
			t.Errorf("%s -h: exit %d:\n%s", name, code, stdout)
		}
		code, _, stderr := pm(t, "", append(cmd, "--no-such-flag", "x")...)
		if code != 2 || !strings.HasPrefix(stderr, "pagematch: "+name+": flag provided but not defined") {
			t.Errorf("%s --no-such-flag: exit %d: %q", name, code, stderr)
		}
		code, _, stderr = pm(t, "", cmd...)
		if code != 2 || !strings.HasPrefix(stderr, "pagematch: ") {
			t.Errorf("%s without arguments: exit %d: %q", name, code, stderr)
		}
	}
	for _, args := range [][]string{{}, {"frobnicate"}, {"index"}, {"index", "frob"}, {"match", "--workers", "0", "--index", "x", "y"}} {
		if code, _, stderr := pm(t, "", args...); code != 2 || !strings.HasPrefix(stderr, "pagematch: ") && len(args) > 0 {
			t.Errorf("%v: exit %d: %q", args, code, stderr)
		}
	}
	if code, stdout, _ := pm(t, "", "-h"); code != 0 || !strings.Contains(stdout, "pagematch match") {
		t.Errorf("-h: exit %d: %s", code, stdout)
	}
	if code, stdout, _ := pm(t, "", "version"); code != 0 || !strings.HasPrefix(stdout, "pagematch ") || !strings.Contains(stdout, index.DefaultAlgorithm) {
		t.Errorf("version: exit %d: %s", code, stdout)
	}
}

func TestInterrupted(t *testing.T) {
	f := getFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "x.pmx")
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"index", "build", "-o", out, f.refs}, nil, &stdout, &stderr)
	if code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("exit %d: %q", code, stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an interrupted build wrote its index")
	}
}

func TestParseInterspersed(t *testing.T) {
	a := &app{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	c := a.command("t", "", "")
	j := c.Bool("json", false, "")
	n := c.Int("n", 0, "")
	pos, _, ok := c.parse([]string{"x", "--json", "y", "-n", "3", "--", "-n", "z"}, 1)
	if !ok || !*j || *n != 3 || strings.Join(pos, " ") != "x y -n z" {
		t.Errorf("ok %v json %v n %d pos %q", ok, *j, *n, pos)
	}
}

func TestLooksLikeImage(t *testing.T) {
	for _, c := range []struct {
		name, head string
		want       bool
	}{
		{"x", "\xff\xd8\xff\xe0", true},
		{"x", "\x89PNG\r\n\x1a\n", true},
		{"x", "GIF89a", true},
		{"x", "RIFF\x00\x00\x00\x00WEBPVP8 ", true},
		{"x.JPG", "garbage", true}, // damaged images are reported, not skipped
		{"x.txt", "hello", false},
		{"x", "", false},
	} {
		if got := looksLikeImage(c.name, []byte(c.head)); got != c.want {
			t.Errorf("%q %q: %v", c.name, c.head, got)
		}
	}
}

func TestMissingPath(t *testing.T) {
	f := getFixture(t)
	missing := filepath.Join(f.dir, "no-such-file.jpg")
	code, stdout, _ := pm(t, "", "match", "--json", "--index", f.ref, missing, filepath.Join(f.suspect, "1-jpeg.jpg"))
	r := jsonLines(t, stdout)
	if code != 1 || len(r) != 2 || r[0]["path"] != missing || r[0]["error"] == nil || r[1]["match"] != true {
		t.Errorf("exit %d: %v", code, r)
	}
}
