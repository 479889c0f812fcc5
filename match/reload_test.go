package match

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
)

// TestReloadUnderLoad swaps the index continually while many clients
// fetch through each integration: every request must succeed with the
// upstream's bytes, marked or not depending on the index it met.
func TestReloadUnderLoad(t *testing.T) {
	base := newBaseline(t)
	want := map[string]result{}
	for _, p := range []string{"/a.jpg", "/b.jpg", "/text.txt"} {
		want[p] = base.get(t, "GET", p, nil)
	}
	with, without := indexOf(t, true), indexOf(t, false)
	clients, perClient := 8, 12
	if testing.Short() {
		clients, perClient = 4, 6
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			m := newMatcher(t, true, WithPolicy(AddHeader))
			c, u := s.run(t, m, upstream())
			ctx, stop := context.WithCancel(context.Background())
			var reloads atomic.Int64
			swapper := make(chan struct{})
			go func() {
				defer close(swapper)
				for i := 0; ctx.Err() == nil; i++ {
					idx := with
					if i%2 == 1 {
						idx = without
					}
					m.Reload(idx)
					reloads.Add(1)
					time.Sleep(2 * time.Millisecond)
				}
			}()
			var wg sync.WaitGroup
			var marked, plain atomic.Int64
			for g := range clients {
				wg.Go(func() {
					for i := range perClient {
						p := []string{"/a.jpg", "/b.jpg", "/text.txt"}[(g+i)%3]
						got := fetch(t, c, "GET", u+p, nil)
						sameAs(t, p, got, want[p])
						switch h := got.header.Get(HeaderVerdict); {
						case h == "":
							plain.Add(1)
						case p == "/a.jpg":
							marked.Add(1)
						default:
							t.Errorf("%s marked %q", p, h)
						}
					}
				})
			}
			wg.Wait()
			stop()
			<-swapper
			t.Logf("%d requests during %d reloads: %d marked", clients*perClient, reloads.Load(), marked.Load())
			if marked.Load()+plain.Load() != int64(clients*perClient) {
				t.Errorf("lost requests: %d + %d", marked.Load(), plain.Load())
			}
			waitHeldZero(t, m)
		})
	}
}

func saveIndex(t *testing.T, path string, withA bool, extra int) {
	t.Helper()
	b := index.NewBuilder()
	if withA {
		fp := loadFixtures().fpA
		b.Add(index.Entry{ID: idA, Hash: fp.Hash, Quality: uint8(fp.Quality)})
	}
	for i := range extra {
		h := fingerprint.Hash{uint64(i) * 0x9e3779b97f4a7c15, uint64(i), 0, 0}
		b.Add(index.Entry{ID: "x/" + strconv.Itoa(i), Hash: h, Quality: 80})
	}
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestWatchFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ref.pmx")
	saveIndex(t, path, false, 0)
	idx, err := index.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(idx)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.WatchFile(ctx, path, WithInterval(5*time.Millisecond)) }()
	gen := func() uint64 { _, g := m.Index(); return g }

	time.Sleep(30 * time.Millisecond)
	if g := gen(); g != 1 {
		t.Fatalf("unchanged file reloaded: generation %d", g)
	}
	saveIndex(t, path, true, 3)
	waitFor(t, "reload", func() bool { cur, _ := m.Index(); return cur.Len() == 4 })

	// A corrupt file is a reload error; the index stays.
	if err := os.WriteFile(path, []byte("not an index, and a different size"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "reload error", func() bool { return testutil.ToFloat64(m.met.reloadErrs) >= 1 })
	if cur, _ := m.Index(); cur.Len() != 4 {
		t.Fatalf("corrupt file replaced the index: %d entries", cur.Len())
	}
	g := gen()
	saveIndex(t, path, false, 7)
	waitFor(t, "reload after the error", func() bool { return gen() > g })
	if cur, _ := m.Index(); cur.Len() != 7 {
		t.Fatalf("%d entries, want 7", cur.Len())
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("WatchFile returned %v", err)
	}
}

func TestWatchURL(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	version, etagOn := 1, true
	var polls, notModified atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		v, tagged := version, etagOn
		mu.Unlock()
		polls.Add(1)
		path := filepath.Join(dir, "v"+strconv.Itoa(v))
		if tagged {
			tag := `"v` + strconv.Itoa(v) + `"`
			w.Header().Set("Etag", tag)
			if r.Header.Get("If-None-Match") == tag {
				notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		http.ServeFile(w, r, path)
	}))
	t.Cleanup(srv.Close)
	saveIndex(t, filepath.Join(dir, "v1"), false, 1)
	saveIndex(t, filepath.Join(dir, "v2"), true, 2)
	if err := os.WriteFile(filepath.Join(dir, "v3"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	saveIndex(t, filepath.Join(dir, "v4"), false, 4)

	m := newMatcher(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.WatchURL(ctx, srv.URL, WithInterval(5*time.Millisecond), WithHTTPClient(srv.Client()))
	}()
	entries := func(n int) func() bool {
		return func() bool { cur, _ := m.Index(); return cur.Len() == n }
	}
	setVersion := func(v int, tagged bool) {
		mu.Lock()
		version, etagOn = v, tagged
		mu.Unlock()
	}
	waitFor(t, "first load", entries(1))
	waitFor(t, "304 answers", func() bool { return notModified.Load() >= 3 })
	if _, g := m.Index(); g != 2 {
		t.Fatalf("generation %d after 304s, want 2", g)
	}
	setVersion(2, true)
	waitFor(t, "v2", entries(3))
	setVersion(3, true)
	waitFor(t, "reload error", func() bool { return testutil.ToFloat64(m.met.reloadErrs) >= 1 })
	if cur, _ := m.Index(); cur.Len() != 3 {
		t.Fatal("garbage replaced the index")
	}
	// Without ETags the same bytes are downloaded but not swapped in.
	setVersion(4, false)
	waitFor(t, "v4", entries(4))
	_, g := m.Index()
	p := polls.Load()
	waitFor(t, "more polls", func() bool { return polls.Load() >= p+3 })
	if _, g2 := m.Index(); g2 != g {
		t.Fatalf("unchanged body reloaded: generation %d -> %d", g, g2)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("WatchURL returned %v", err)
	}
}
