// Command reverseproxy is a complete reverse proxy that checks the images
// it passes against a pagematch index.
//
//	go run ./examples/reverseproxy -index ref.pmx -upstream http://127.0.0.1:8080 \
//	    -listen 127.0.0.1:8081 [-block] [-metrics 127.0.0.1:9090]
//
// Build ref.pmx with the pagematch command, giving the publisher's rights
// page so that blocked responses link to it:
//
//	go run ./cmd/pagematch index build -o ref.pmx --meta rights_url=https://example.com/rights pages/
//
// By default verdicts are only logged; -header adds a Pagematch-Verdict
// header to matching responses and -block answers them with 451
// Unavailable For Legal Reasons. The index file is watched and reloaded
// when it changes; -index may also be an http(s) URL, polled with ETags.
// Prometheus metrics are served on -metrics at /metrics, apart from the
// proxied traffic. Logs are JSON lines on stderr. SIGINT or SIGTERM shuts
// the proxy down gracefully.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pagematch/pagematch/index"
	"github.com/pagematch/pagematch/match"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "reverseproxy:", err)
		}
		os.Exit(2)
	}
}

// options are the command-line flags.
type options struct {
	index, upstream, listen, metrics string
	block, header, failClosed        bool
	budget, watch                    time.Duration
	hold, max                        int64
	logLevel                         string
}

func parse(args []string, stderr io.Writer) (*options, error) {
	var o options
	fs := flag.NewFlagSet("reverseproxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.index, "index", "", "reference index: a file, or an http(s) URL (required)")
	fs.StringVar(&o.upstream, "upstream", "", "upstream base URL (required)")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8081", "address to serve the proxy on")
	fs.StringVar(&o.metrics, "metrics", "", "address to serve /metrics on (none if empty)")
	fs.BoolVar(&o.block, "block", false, "answer matching images with 451")
	fs.BoolVar(&o.header, "header", false, "add a Pagematch-Verdict header to matching images")
	fs.BoolVar(&o.failClosed, "fail-closed", false, "with -block, answer 503 when no verdict can be reached")
	fs.DurationVar(&o.budget, "budget", match.DefaultBudget, "time a response waits for its fingerprint")
	fs.DurationVar(&o.watch, "watch", 10*time.Second, "how often to check the index for changes")
	fs.Int64Var(&o.hold, "hold", match.DefaultHoldBytes, "with -block or -header, the largest body decided before its first byte (without them bodies stream)")
	fs.Int64Var(&o.max, "max", match.DefaultMaxBytes, "largest body fingerprinted at all")
	fs.StringVar(&o.logLevel, "log", "info", "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case o.index == "" || o.upstream == "":
		return nil, errors.New("-index and -upstream are required")
	case o.block && o.header:
		return nil, errors.New("-block and -header exclude each other")
	case o.failClosed && !o.block:
		return nil, errors.New("-fail-closed needs -block")
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return &o, nil
}

// run serves until ctx ends. ready, if not nil, is told the addresses
// once both servers listen.
func run(ctx context.Context, args []string, stderr io.Writer, ready func(proxy, metrics string)) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return fmt.Errorf("-log: %w", err)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	target, err := url.Parse(o.upstream)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return fmt.Errorf("-upstream %q: want an http(s) URL", o.upstream)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	policy := match.LogOnly
	switch {
	case o.block:
		policy = match.Block
	case o.header:
		policy = match.AddHeader
	}
	remote := strings.HasPrefix(o.index, "http://") || strings.HasPrefix(o.index, "https://")
	idx, err := initialIndex(o.index, remote)
	if err != nil {
		return err
	}
	m, err := match.New(idx,
		match.WithPolicy(policy), match.WithFailClosed(o.failClosed), match.WithBudget(o.budget),
		match.WithHoldBytes(o.hold), match.WithMaxBytes(o.max),
		match.WithRegisterer(reg), match.WithLogger(logger))
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		if remote {
			m.WatchURL(ctx, o.index, match.WithInterval(o.watch))
		} else {
			m.WatchFile(ctx, o.index, match.WithInterval(o.watch))
		}
	}()
	if remote {
		if err := waitFirstLoad(ctx, m, 30*time.Second); err != nil {
			return err
		}
	}
	cur, gen := m.Index()
	logger.Info("index loaded", "source", o.index, "entries", cur.Len(), "generation", gen, "policy", policy.String())

	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = m.ModifyResponse
	proxy.BufferPool = match.NewBufferPool(match.ProxyBufferSize)
	proxy.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	servers := []*http.Server{{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}}
	addrs := []string{o.listen}
	if o.metrics != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
		servers = append(servers, &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second})
		addrs = append(addrs, o.metrics)
	}
	lns := make([]net.Listener, len(servers))
	bound := make([]string, 2)
	for i := range servers {
		if lns[i], err = net.Listen("tcp", addrs[i]); err != nil {
			for _, ln := range lns[:i] {
				ln.Close()
			}
			return err
		}
		bound[i] = lns[i].Addr().String()
	}
	errc := make(chan error, len(servers))
	for i, s := range servers {
		s.ErrorLog = log.New(io.Discard, "", 0)
		go func() { errc <- s.Serve(lns[i]) }()
	}
	logger.Info("serving", "proxy", bound[0], "metrics", bound[1], "upstream", o.upstream)
	if ready != nil {
		ready(bound[0], bound[1])
	}

	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutdown, done := context.WithTimeout(context.Background(), 10*time.Second)
	defer done()
	for _, s := range servers {
		s.Shutdown(shutdown)
	}
	cancel()
	<-watchDone
	logger.Info("stopped")
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// initialIndex opens the index file, or for a URL returns an empty index
// that the URL watcher replaces on its first poll.
func initialIndex(src string, remote bool) (*index.Index, error) {
	if remote {
		return index.NewBuilder().Index()
	}
	return index.Open(src)
}

// waitFirstLoad waits for the URL watcher's first index.
func waitFirstLoad(ctx context.Context, m *match.Matcher, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if _, gen := m.Index(); gen > 1 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no index from the URL within %v", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
