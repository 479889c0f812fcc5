package match_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
	"github.com/pagematch/pagematch/match"
)

// publisher returns a reference index of one page, with a rights URL, and
// a pirated copy of that page (re-encoded JPEG).
func publisher() (*index.Index, []byte) {
	page := testpages.Page(testpages.Spec{Series: 7, Page: 1, Width: 600, Height: 850})
	ref, _ := pirate.EncodeJPEG(page, 92)
	copy, _ := pirate.EncodeJPEG(page, 60)
	fp, err := fingerprint.FromBytes(context.Background(), ref)
	if err != nil {
		log.Fatal(err)
	}
	b := index.NewBuilder()
	b.Add(index.NewEntry("series-7/p-001.jpg", fp,
		index.Meta{{Key: match.MetaRightsURL, Value: "https://rights.example/takedown"}}))
	idx, err := b.Index()
	if err != nil {
		log.Fatal(err)
	}
	return idx, copy
}

// pirateSite serves the pirated copy at /page.jpg.
func pirateSite(copy []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "page.jpg", time.Time{}, bytes.NewReader(copy))
	})
}

func ExampleMatcher_Check() {
	idx, copy := publisher()
	m, err := match.New(idx, match.WithBudget(10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	v, err := m.Check(context.Background(), copy)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Kind, v.ID, v.RightsURL())
	v, _ = m.Check(context.Background(), copy)
	fmt.Println("cached:", v.Cached)
	// Output:
	// match series-7/p-001.jpg https://rights.example/takedown
	// cached: true
}

// A reverse proxy that blocks pirated pages with 451.
func ExampleMatcher_ModifyResponse() {
	idx, copy := publisher()
	// A generous budget: examples run on busy machines too.
	m, err := match.New(idx, match.WithPolicy(match.Block), match.WithBudget(10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	origin := httptest.NewServer(pirateSite(copy))
	defer origin.Close()
	target, _ := url.Parse(origin.URL)

	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = m.ModifyResponse
	// Optional: large pooled buffers let a cached image be read once,
	// straight into the proxy's buffer.
	proxy.BufferPool = match.NewBufferPool(match.ProxyBufferSize)

	front := httptest.NewServer(proxy)
	defer front.Close()
	resp, err := http.Get(front.URL + "/page.jpg")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	fmt.Println(resp.Header.Get("Link"))
	// Output:
	// 451 Unavailable For Legal Reasons
	// <https://rights.example/takedown>; rel="blocked-by"
}

// A file server that marks the pages it serves.
func ExampleMatcher_Middleware() {
	idx, copy := publisher()
	m, err := match.New(idx, match.WithPolicy(match.AddHeader), match.WithBudget(10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(m.Middleware(pirateSite(copy)))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/page.jpg")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	// The distance depends on the pirate's encoder; leave it out.
	verdict, _, _ := strings.Cut(resp.Header.Get(match.HeaderVerdict), "; distance=")
	fmt.Println(resp.Status)
	fmt.Println(verdict)
	// Output:
	// 200 OK
	// match; id="series-7/p-001.jpg"
}

// A client that fills a cache and logs what it fetched. Under LogOnly the
// body streams to the client untouched; its verdict comes once the body
// has been read (for a body not seen before, once its fingerprint is
// done).
func ExampleMatcher_Transport() {
	idx, copy := publisher()
	verdicts := make(chan match.Event, 1)
	m, err := match.New(idx, match.WithBudget(10*time.Second), match.WithOnVerdict(func(e match.Event) {
		verdicts <- e
	}))
	if err != nil {
		log.Fatal(err)
	}
	origin := httptest.NewServer(pirateSite(copy))
	defer origin.Close()

	client := &http.Client{Transport: m.Transport(nil)}
	resp, err := client.Get(origin.URL + "/page.jpg")
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body) // into the cache
	resp.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, bytes.Equal(body, copy))
	e := <-verdicts
	fmt.Println("verdict:", e.Verdict.Kind, e.Verdict.ID)
	// Output:
	// 200 OK true
	// verdict: match series-7/p-001.jpg
}

func ExampleMatcher_Reload() {
	idx, copy := publisher()
	m, err := match.New(idx, match.WithBudget(10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	empty, _ := index.NewBuilder().Index()
	gen, _ := m.Reload(empty)
	v, _ := m.Check(context.Background(), copy)
	fmt.Println(gen, v.Kind)
	// Output:
	// 2 nomatch
}

func ExampleMatcher_WatchFile() {
	dir, _ := os.MkdirTemp("", "pagematch")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ref.pmx")
	if err := index.NewBuilder().Save(path); err != nil {
		log.Fatal(err)
	}
	idx, err := index.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	m, _ := match.New(idx)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.WatchFile(ctx, path, match.WithInterval(10*time.Millisecond))

	// The publisher ships a new index; Save replaces the file atomically.
	// (The pause keeps the new file's modification time, which the kernel
	// stamps from a coarse clock, clearly after the first index was loaded.)
	time.Sleep(50 * time.Millisecond)
	b := index.NewBuilder()
	b.Add(index.Entry{ID: "series-7/p-002.jpg", Quality: 80, Hash: fingerprint.Hash{1, 2, 3, 4}})
	if err := b.Save(path); err != nil {
		log.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if cur, gen := m.Index(); cur.Len() == 1 {
			fmt.Println("generation", gen)
			break
		}
		if time.Now().After(deadline) {
			fmt.Println("not reloaded")
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Output:
	// generation 2
}
