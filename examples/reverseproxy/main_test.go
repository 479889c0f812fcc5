package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
	"github.com/pagematch/pagematch/match"
)

func TestReverseProxy(t *testing.T) {
	page := testpages.Page(testpages.Spec{Series: 3, Page: 4, Width: 600, Height: 850})
	ref, _ := pirate.EncodeJPEG(page, 92)
	copy, _ := pirate.EncodeJPEG(page, 65)
	fp, err := fingerprint.FromBytes(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ref.pmx")
	b := index.NewBuilder()
	b.Add(index.Entry{ID: "s3/p4.jpg", Hash: fp.Hash, Quality: uint8(fp.Quality),
		Meta: index.Meta{{Key: match.MetaRightsURL, Value: "https://rights.example/s3"}}})
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	text := bytes.Repeat([]byte("hello\n"), 1000)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/p.jpg" {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(copy)
			return
		}
		w.Write(text)
	}))
	defer upstream.Close()

	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan [2]string, 1)
	done := make(chan error, 1)
	var logs syncBuffer
	go func() {
		done <- run(ctx, []string{"-index", path, "-upstream", upstream.URL, "-listen", "127.0.0.1:0",
			"-metrics", "127.0.0.1:0", "-block", "-watch", "10ms", "-budget", "10s"}, &logs,
			func(p, m string) { addrs <- [2]string{p, m} })
	}()
	var a [2]string
	select {
	case a = <-addrs:
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	get := func(url string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, body
	}
	resp, _ := get("http://" + a[0] + "/p.jpg")
	if resp.StatusCode != http.StatusUnavailableForLegalReasons || resp.Header.Get("Link") != `<https://rights.example/s3>; rel="blocked-by"` {
		t.Errorf("pirated page: %s %v", resp.Status, resp.Header)
	}
	if resp, body := get("http://" + a[0] + "/t"); resp.StatusCode != 200 || !bytes.Equal(body, text) {
		t.Errorf("text: %s, %d bytes", resp.Status, len(body))
	}
	_, metrics := get("http://" + a[1] + "/metrics")
	for _, want := range []string{`pagematch_verdicts_total{kind="match"} 1`, "pagematch_index_entries 1", "go_goroutines"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if resp, _ := get("http://" + a[0] + "/metrics"); resp.StatusCode == 200 && resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("/metrics leaks onto the proxy address")
	}

	// A new index without the page: the watcher swaps it in.
	empty := index.NewBuilder()
	if err := empty.Save(path); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, body := get("http://" + a[0] + "/p.jpg")
		if resp.StatusCode == 200 {
			if !bytes.Equal(body, copy) {
				t.Error("page bytes changed")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("index never reloaded")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run returned %v", err)
	}
	if !strings.Contains(logs.String(), `"msg":"pagematch: match"`) {
		t.Errorf("no match logged:\n%s", logs.String())
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-index", "x.pmx"},
		{"-index", "x.pmx", "-upstream", "http://h", "-block", "-header"},
		{"-index", "x.pmx", "-upstream", "http://h", "-fail-closed"},
		{"-index", "x.pmx", "-upstream", "http://h", "extra"},
	} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	if err := run(context.Background(), []string{"-index", "/nonexistent.pmx", "-upstream", "http://h"}, io.Discard, nil); err == nil {
		t.Error("missing index accepted")
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
