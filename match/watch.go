package match

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/pagematch/pagematch/index"
)

// Watcher defaults.
const (
	DefaultFileInterval  = 10 * time.Second
	DefaultURLInterval   = time.Minute
	DefaultMaxIndexBytes = 4 << 30
)

// A WatchOption configures WatchFile and WatchURL.
type WatchOption func(*watchConfig)

type watchConfig struct {
	interval  time.Duration
	indexOpts []index.Option
	client    *http.Client
	etag      string
	maxBytes  int64
}

func newWatchConfig(def time.Duration, opts []WatchOption) watchConfig {
	c := watchConfig{interval: def, client: http.DefaultClient, maxBytes: DefaultMaxIndexBytes}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithInterval sets the polling interval (defaults: DefaultFileInterval,
// DefaultURLInterval). d <= 0 keeps the default.
func WithInterval(d time.Duration) WatchOption {
	return func(c *watchConfig) { c.interval = orDefault(d, c.interval) }
}

// WithIndexOptions passes options to index.Open and index.Read.
func WithIndexOptions(opts ...index.Option) WatchOption {
	return func(c *watchConfig) { c.indexOpts = append(c.indexOpts, opts...) }
}

// WithHTTPClient sets the client WatchURL polls with (default
// http.DefaultClient; each poll is bounded by the watcher's context and
// the interval).
func WithHTTPClient(cl *http.Client) WatchOption {
	return func(c *watchConfig) {
		if cl != nil {
			c.client = cl
		}
	}
}

// WithETag tells WatchURL the ETag of the index the Matcher already
// holds, so that its first poll can be answered 304 Not Modified.
func WithETag(etag string) WatchOption { return func(c *watchConfig) { c.etag = etag } }

// WithMaxIndexBytes bounds the size of an index WatchURL downloads
// (default DefaultMaxIndexBytes).
func WithMaxIndexBytes(n int64) WatchOption {
	return func(c *watchConfig) { c.maxBytes = orDefault(n, c.maxBytes) }
}

// WatchFile polls path, at once and then at every interval, and reloads
// the index when the file's modification time or size changes. A file
// modified before the current index was installed (by New or Reload)
// counts as loaded, so the usual sequence (index.Open, New, WatchFile)
// does not load it twice, and a change made before WatchFile starts is
// not missed. A file that changes while it is being read is read again at
// the next poll; one that fails to load (a reload error, logged and
// counted) is retried when it changes again. Write index files atomically
// (index.Builder.Save does). WatchFile returns ctx.Err() when ctx ends.
func (m *Matcher) WatchFile(ctx context.Context, path string, opts ...WatchOption) error {
	cfg := newWatchConfig(DefaultFileInterval, opts)
	tick := time.NewTicker(cfg.interval)
	defer tick.Stop()
	var last os.FileInfo
	var failing error
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
		}
		st, err := os.Stat(path)
		if err != nil {
			if failing == nil || failing.Error() != err.Error() {
				m.reloadFailed(path, err)
			}
			failing = err
			continue
		}
		failing = nil
		if last == nil && !st.ModTime().After(m.state.Load().at) {
			last = st // the current index is at least as new
		}
		if sameFile(st, last) {
			continue
		}
		idx, err := index.Open(path, cfg.indexOpts...)
		if again, serr := os.Stat(path); serr != nil || !sameFile(st, again) {
			continue // changed while we read it: read it again next time
		}
		last = st
		if err != nil {
			m.reloadFailed(path, err)
			continue
		}
		m.Reload(idx)
	}
}

func sameFile(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// WatchURL polls url for an index, at once and then at every interval,
// with If-None-Match set to the ETag of the last index loaded; a 304
// answer changes nothing. A 200 answer is read (at most
// WithMaxIndexBytes) and swapped in, unless its bytes are those of the
// index already loaded (servers without ETags), which keeps the cache
// warm. A failed poll is a reload error, logged and counted; the current
// index stays. WatchURL returns ctx.Err() when ctx ends.
func (m *Matcher) WatchURL(ctx context.Context, url string, opts ...WatchOption) error {
	cfg := newWatchConfig(DefaultURLInterval, opts)
	etag := cfg.etag
	var sum uint64
	tick := time.NewTicker(cfg.interval)
	defer tick.Stop()
	for {
		tag, s, err := m.pollURL(ctx, &cfg, url, etag, sum)
		switch {
		case err == nil:
			etag, sum = tag, s
		case errors.Is(err, errNotModified):
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			m.reloadFailed(url, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

var errNotModified = errors.New("match: index not modified")

// pollURL fetches url once and reloads the index it holds, returning the
// new ETag and the xxh3 of the body.
func (m *Matcher) pollURL(ctx context.Context, cfg *watchConfig, url, etag string, sum uint64) (string, uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, max(cfg.interval, 10*time.Second))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", 0, fmt.Errorf("match: watch %s: %w", url, err)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := cfg.client.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("match: watch: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return etag, sum, errNotModified
	case http.StatusOK:
	default:
		return "", 0, fmt.Errorf("match: watch %s: status %s", url, resp.Status)
	}
	lr := &io.LimitedReader{R: resp.Body, N: cfg.maxBytes + 1}
	h := xxh3.New()
	idx, err := index.Read(io.TeeReader(lr, h), cfg.indexOpts...)
	switch {
	case lr.N <= 0:
		return "", 0, fmt.Errorf("match: watch %s: index larger than %d bytes", url, cfg.maxBytes)
	case err != nil:
		return "", 0, fmt.Errorf("match: watch %s: %w", url, err)
	}
	newTag := resp.Header.Get("Etag")
	if s := h.Sum64(); s != sum || sum == 0 {
		sum = s
		m.Reload(idx)
	}
	return newTag, sum, nil
}

func (m *Matcher) reloadFailed(where string, err error) {
	m.met.reloadErrs.Inc()
	m.log.Warn("pagematch: index reload failed", "source", where, "err", err)
}
